/**
 * A library import file in JSON Lines (library-data.md) at any size, for measuring `db:load`
 * (issue #9): `npx tsx bench/generate-import-file.ts --readers 1000000 --out /tmp/library-1m.jsonl`.
 *
 * Per reader: 0 to 6 loans (3 on average, one in ten returned), one item per loan; half as many
 * titles as readers; one shelf copy for every other reader; a title reservation for one reader in
 * five and a copy reservation for one in fifty; a charge for one in seven; an HKID for three in
 * ten. Readers carry a `pinHash`, one of a handful computed once with the real algorithms
 * (hashing a million is the work the import avoids), or with --plain-pins a `pin` for the import
 * to hash; one in ten has no PIN. Deterministic but for the hashes' salts.
 */
import { pbkdf2Sync, randomBytes, scryptSync } from "node:crypto";
import { once } from "node:events";
import { createWriteStream } from "node:fs";
import { parseArgs } from "node:util";
import { argon2id, bcrypt } from "hash-wasm";

const { values } = parseArgs({
  options: {
    readers: { type: "string" },
    out: { type: "string" },
    "plain-pins": { type: "boolean", default: false },
  },
});
const readers = Number(values.readers);
const plainPins = values["plain-pins"] ?? false;
if (!Number.isSafeInteger(readers) || readers < 1 || !values.out) {
  console.error("usage: npx tsx bench/generate-import-file.ts --readers N --out FILE.jsonl [--plain-pins]");
  process.exit(2);
}

const b64 = (bytes: Uint8Array) => Buffer.from(bytes).toString("base64").replace(/=+$/, "");
const salt = () => randomBytes(16);
const pinHashes = await Promise.all(
  ["135790", "2468", "11223344", "9876"].map(async (pin, i) => {
    const s = salt();
    switch (i) {
      case 0:
        return `$scrypt$ln=14,r=8,p=1$${b64(s)}$${b64(scryptSync(pin, s, 32, { N: 2 ** 14, r: 8, p: 1 }))}`;
      case 1:
        return bcrypt({ password: pin, salt: s, costFactor: 8, outputType: "encoded" });
      case 2:
        return argon2id({
          password: pin,
          salt: s,
          iterations: 2,
          parallelism: 1,
          memorySize: 19_456,
          hashLength: 32,
          outputType: "encoded",
        });
      default:
        return `$pbkdf2-sha256$i=29000,l=32$${b64(s)}$${b64(pbkdf2Sync(pin, s, 29_000, 32, "sha256"))}`;
    }
  }),
);
const HKIDS = ["A1234563", "XA7788999", "B424242A"];

const out = createWriteStream(values.out);
let pending = "";
async function write(kind: string, value: unknown): Promise<void> {
  pending += `${JSON.stringify({ [kind]: value })}\n`;
  if (pending.length < 1 << 16) return;
  const ok = out.write(pending);
  pending = "";
  if (!ok) await once(out, "drain");
}

const titles = Math.max(1, Math.floor(readers / 2));
const day = (offset: number) => new Date(Date.UTC(2026, 10, 1 + offset)).toISOString().slice(0, 10);
let nextItem = 0;
const barcode = () => `34${String(nextItem++).padStart(12, "0")}`;
const counts = { patron: 0, title: 0, item: 0, loan: 0, reservation: 0, charge: 0, closedDay: 0 };
const emit = async (kind: keyof typeof counts, value: unknown) => {
  counts[kind]++;
  await write(kind, value);
};

await write("exportedAt", "2026-12-01T08:00:00+08:00");
for (const d of ["2026-12-25", "2026-12-26", "2027-01-01", "2027-02-17", "2027-02-18"])
  await emit("closedDay", d);
for (let t = 0; t < titles; t++) {
  await emit("title", {
    id: `T${t}`,
    title: `Title ${t}`,
    ...(t % 3 === 0 ? { author: `Author ${t % 997}` } : {}),
  });
}
for (let r = 0; r < readers; r++) {
  const cardNumber = String(2_100_000_000 + r);
  await emit("patron", {
    cardNumber,
    ...(r % 10 < 3 ? { hkid: HKIDS[r % HKIDS.length] } : {}),
    name: `Reader ${r}`,
    phone: String(91_000_000 + (r % 8_000_000)),
    ...(r % 10 === 9
      ? {}
      : plainPins
        ? { pin: String(100_000 + (r % 900_000)) }
        : { pinHash: pinHashes[r % pinHashes.length] }),
    category: r % 5 === 0 ? "junior" : "adult",
    status: r % 50 === 0 ? "suspended" : "active",
    expiresOn: "2030-06-30",
  });
  const loans = (r * 7919) % 7;
  for (let l = 0; l < loans; l++) {
    const code = barcode();
    const returned = (r + l) % 10 === 0;
    await emit("item", {
      barcode: code,
      titleId: `T${(r * 3 + l) % titles}`,
      status: returned ? "on_shelf" : "on_loan",
    });
    const borrowed = (r + l) % 28;
    await emit("loan", {
      barcode: code,
      cardNumber,
      borrowedOn: day(borrowed),
      dueOn: day(borrowed + 14),
      ...(returned ? { returnedOn: day(borrowed + 7) } : {}),
      renewals: (r + l) % 3,
    });
  }
  if (r % 2 === 0) await emit("item", { barcode: barcode(), titleId: `T${r % titles}`, status: "on_shelf" });
  if (r % 5 === 0)
    await emit("reservation", { titleId: `T${(r * 13) % titles}`, cardNumber, placedOn: day(r % 30) });
  if (r % 50 === 1 && nextItem > 0) {
    await emit("reservation", {
      barcode: `34${String(nextItem - 1).padStart(12, "0")}`,
      cardNumber,
      placedOn: "2026-11-30",
    });
  }
  if (r % 7 === 0) {
    await emit("charge", {
      cardNumber,
      ...(r % 14 === 0 && nextItem > 0 ? { barcode: `34${String(nextItem - 1).padStart(12, "0")}` } : {}),
      amount: `${(r % 40) + 1}.50`,
      kind: "overdue",
    });
  }
}
out.end(pending);
await once(out, "finish");
console.log(
  `${values.out}: ${Object.entries(counts)
    .map(([k, n]) => `${n} ${k}`)
    .join(", ")}`,
);
