/**
 * `npm run sip2:check`: the first command an implementer runs on site (library-system.md, "SIP2
 * connection"). Logs in with the SIP2_* settings, sends SC Status (99) and prints the ILS's
 * answer (98) and what the line will use. Exit 1 with one line on stderr when it cannot.
 */
import type { AcsStatusResponse } from "./messages.js";
import { Sip2Pool } from "./pool.js";
import { loadSip2Settings, type Sip2Settings } from "./settings.js";
import { decodeSupportedMessages } from "./supported-messages.js";

const yesNo = (value: boolean) => (value ? "yes" : "no");

export function describeStatus(settings: Sip2Settings, answer: AcsStatusResponse): string[] {
  const supported = decodeSupportedMessages(answer.supportedMessages);
  const supports = (name: Parameters<NonNullable<typeof supported>["get"]>[0]) =>
    supported === null ? "unknown (the ILS sent no BX)" : yesNo(supported.get(name) === true);
  const lines = [
    `Logged in to ${settings.host}:${settings.port} as ${settings.user} (TLS ${settings.tls ? "on" : "off"}, checksums ${settings.checksums ? "on" : "off"}, charset ${settings.charset}).`,
    "ILS status (98 ACS Status):",
    `  online: ${yesNo(answer.onlineStatus)}`,
    `  renewals allowed for this account (renewal policy): ${yesNo(answer.acsRenewalPolicy)}`,
    `  checkin: ${yesNo(answer.checkinOk)}, checkout: ${yesNo(answer.checkoutOk)}, offline: ${yesNo(answer.offlineOk)}`,
    `  institution: ${answer.institutionId}${answer.libraryName ? ` (${answer.libraryName})` : ""}`,
    `  protocol version: ${answer.protocolVersion}`,
    `  ILS date and time: ${answer.dateTimeSync.date} ${answer.dateTimeSync.time}${answer.dateTimeSync.utc ? " UTC" : ""}`,
    `  timeout period: ${answer.timeoutPeriod ?? "not given"}, retries allowed: ${answer.retriesAllowed ?? "not given"}`,
  ];
  if (supported === null) lines.push("  supported messages: not given (no BX field)");
  else {
    const names = [...supported].filter(([, yes]) => yes).map(([name]) => name);
    lines.push(`  supported messages: ${names.length > 0 ? names.join(", ") : "none"}`);
  }
  for (const message of answer.screenMessages) lines.push(`  screen message: ${message}`);
  const renewals = answer.acsRenewalPolicy ? supports("Renew") : "no (the ILS does not allow renewals)";
  lines.push(
    "The line will use:",
    `  Patron Information (63): ${supports("Patron Information")}`,
    `  Item Information (17), to learn whether a renewal without an answer happened: ${supports("Item Information")}`,
    `  Renew (29): ${renewals}`,
    `  Renew All (65): ${answer.acsRenewalPolicy ? supports("Renew All") : renewals}`,
  );
  if (answer.institutionId !== settings.institution) {
    lines.push(
      `Warning: the ILS answered for institution ${answer.institutionId}, SIP2_INSTITUTION is ${settings.institution}.`,
    );
  }
  if (!answer.onlineStatus) lines.push("Warning: the ILS says it is offline.");
  return lines;
}

async function main(): Promise<number> {
  let settings: Sip2Settings;
  try {
    settings = loadSip2Settings(process.env);
  } catch (error) {
    process.stderr.write(`sip2:check: ${error instanceof Error ? error.message : String(error)}\n`);
    return 1;
  }
  const pool = new Sip2Pool({ ...settings, size: 1 });
  try {
    const answer = await pool.request(
      { code: "99", statusCode: "0", maxPrintWidth: 80, protocolVersion: "2.00" },
      { idempotent: true },
    );
    process.stdout.write(`${describeStatus(settings, answer).join("\n")}\n`);
    return 0;
  } catch (error) {
    const message = error instanceof Error ? `${error.name}: ${error.message}` : String(error);
    process.stderr.write(
      `sip2:check: cannot talk to the ILS at ${settings.host}:${settings.port}: ${message}\n`,
    );
    return 1;
  } finally {
    await pool.close();
  }
}

process.exitCode = await main();
