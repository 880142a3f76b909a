import { it } from "vitest";
import { readDemoFile } from "../../src/demo/demo-data.js";
import { createTestDatabase, resetData } from "../support/database.js";
import { loadFixture } from "../support/library-fixture.js";
import { call, startVoiceApp } from "../support/voice-app.js";

it("scratch", async () => {
  let t = Date.now();
  const db = await createTestDatabase("pglite");
  console.log("create", Date.now() - t);
  t = Date.now();
  await loadFixture(db.db, readDemoFile());
  console.log("load", Date.now() - t);
  t = Date.now();
  await resetData(db);
  await loadFixture(db.db, readDemoFile());
  console.log("reset+load", Date.now() - t);
  t = Date.now();
  const app = await startVoiceApp({ db: db.db, now: "2026-12-01T10:00:00+08:00" });
  for (const script of [
    ["3", "2100000001#", "135790#", "0", "1", "2", "*"],
    ["3", "2100000001#", "135790#", "*"],
    ["3", "2100000001#", "13579#", "(timeout)"],
  ]) {
    const r = await call(app, script);
    console.log("call", Date.now() - t);
    t = Date.now();
  }
  await app.close();
  await db.dispose();
});
