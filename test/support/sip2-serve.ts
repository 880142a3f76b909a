/**
 * `npm run sip2:serve`: the fake ILS on the demo library, for trying the SIP2 boundary (and
 * `npm run sip2:check`) without a real ILS. Listens on SIP2_PORT or 6001 and logs in the account
 * SIP2_USER / SIP2_PASSWORD (default phone-line / demo-secret) for SIP2_INSTITUTION (default DEMO).
 * FIXED_NOW moves the library's today as it does for `npm start`.
 */
import { calendarDateIn } from "../../src/time/calendar-date.js";
import { demoLibrary } from "./sip2/demo-library.js";
import { Sip2TestServer } from "./sip2-test-server.js";

const env = process.env;
const port = Number(env.SIP2_PORT || 6001);
const user = env.SIP2_USER || "phone-line";
const password = env.SIP2_PASSWORD || "demo-secret";
const institution = env.SIP2_INSTITUTION || "DEMO";
const now = env.FIXED_NOW ? new Date(env.FIXED_NOW) : new Date();
const today = calendarDateIn(now, env.LIBRARY_TZ || "Asia/Hong_Kong");

const server = await Sip2TestServer.start({
  library: demoLibrary(today, { user, password }, institution),
  port,
  host: env.SIP2_HOST || "127.0.0.1",
});
process.stdout.write(
  [
    `SIP2 test ILS on the demo library, listening on 127.0.0.1:${server.port}`,
    `  account: SIP2_USER=${user} SIP2_PASSWORD=${password}`,
    `  institution: SIP2_INSTITUTION=${institution}`,
    `  library day: ${today} (readers and PINs: demo/README.md)`,
    `Try: SIP2_HOST=127.0.0.1 SIP2_PORT=${server.port} SIP2_USER=${user} SIP2_PASSWORD=${password} SIP2_INSTITUTION=${institution} npm run sip2:check`,
    "",
  ].join("\n"),
);

const stop = () => {
  void server.close().then(() => process.exit(0));
};
process.once("SIGINT", stop);
process.once("SIGTERM", stop);
