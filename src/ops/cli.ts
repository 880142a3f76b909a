/**
 * `npm run ops:user -- add NAME --role admin|staff | passwd NAME | disable NAME | list |
 * token NAME [--label TEXT] | revoke-tokens NAME | unthrottle NAME`: manages the console's operators,
 * their API tokens and their failed logins. Passwords are read from the terminal without echo, or from standard input. Applies
 * pending migrations first.
 */
import { parseArgs } from "node:util";
import { loadDotEnv } from "../config/dot-env.js";
import { loadSettings, SettingsError } from "../config/settings.js";
import { databaseTargetOf, openDatabase } from "../db/database.js";
import { OPERATOR_ROLES, type OperatorRole } from "../db/schema/index.js";
import { safeErrorMessage } from "../logging/safe-error.js";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../security/password-hash.js";
import { systemClock } from "../time/clock.js";
import { calendarFromSettings } from "../time/library-clock.js";
import { createApiToken, revokeApiTokens } from "./api-tokens.js";
import { LOGIN_FAILURE_WINDOW_MINUTES, type Unthrottled, unthrottleName } from "./login-throttle.js";
import {
  createOperator,
  disableOperator,
  listOperators,
  OPERATOR_NAME,
  OperatorError,
  setOperatorPassword,
} from "./operators.js";
import { readPassword } from "./read-password.js";

const USAGE = `usage: npm run ops:user -- add NAME --role admin|staff
       npm run ops:user -- passwd NAME
       npm run ops:user -- disable NAME
       npm run ops:user -- list
       npm run ops:user -- token NAME [--label TEXT]
       npm run ops:user -- revoke-tokens NAME
       npm run ops:user -- unthrottle NAME`;

type Command =
  | { kind: "add"; name: string; role: OperatorRole }
  | { kind: "passwd"; name: string }
  | { kind: "disable"; name: string }
  | { kind: "list" }
  | { kind: "token"; name: string; label: string }
  | { kind: "revoke-tokens"; name: string }
  | { kind: "unthrottle"; name: string };

function parseCommand(argv: string[]): Command | string {
  const { values, positionals } = parseArgs({
    args: argv,
    options: { role: { type: "string" }, label: { type: "string" } },
    allowPositionals: true,
  });
  const [verb, name, ...rest] = positionals;
  if (rest.length > 0) return USAGE;
  if (verb === "list" && name === undefined) return { kind: "list" };
  if (
    verb !== "add" &&
    verb !== "passwd" &&
    verb !== "disable" &&
    verb !== "token" &&
    verb !== "revoke-tokens" &&
    verb !== "unthrottle"
  )
    return USAGE;
  if (!name) return USAGE;
  if (!OPERATOR_NAME.test(name))
    return `${name}: a name is 1 to 64 letters, digits, dots, dashes or underscores`;
  if (verb === "token") {
    if (values.role !== undefined) return USAGE;
    const label = (values.label ?? "api").trim();
    if (label.length === 0 || label.length > 100) return "--label is 1 to 100 characters";
    return { kind: "token", name, label };
  }
  if (values.label !== undefined) return USAGE;
  if (verb !== "add") return values.role === undefined ? { kind: verb, name } : USAGE;
  const role = OPERATOR_ROLES.find((r) => r === values.role);
  if (!role) return `--role must be one of: ${OPERATOR_ROLES.join(", ")}`;
  return { kind: "add", name, role };
}

function unthrottledMessage(name: string, result: Unthrottled): string {
  const cleared =
    result.cleared === 0
      ? `${name} had no recent failed logins`
      : `cleared ${result.cleared} failed login${result.cleared === 1 ? "" : "s"} of ${name}`;
  if (result.addressesStillThrottled.length === 0) return `${cleared}; ${name} can sign in now`;
  // The address limit counts other names' failures too: not this name's to clear.
  return `${cleared}; ${name} can sign in now, except from ${result.addressesStillThrottled.join(", ")}, held back by failed logins under other names for up to ${LOGIN_FAILURE_WINDOW_MINUTES} minutes`;
}

async function newPassword(): Promise<string | null> {
  const password = await readPassword("Password: ");
  if (password.length < MIN_PASSWORD_LENGTH || password.length > MAX_PASSWORD_LENGTH) {
    console.error(`refused: a password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters`);
    return null;
  }
  if (process.stdin.isTTY && (await readPassword("Again: ")) !== password) {
    console.error("refused: the two passwords differ");
    return null;
  }
  return password;
}

async function main(): Promise<number> {
  const command = parseCommand(process.argv.slice(2));
  if (typeof command === "string") {
    console.error(command);
    return 2;
  }
  // Read before opening the database, which the embedded one holds for the process.
  const password = command.kind === "add" || command.kind === "passwd" ? await newPassword() : null;
  if ((command.kind === "add" || command.kind === "passwd") && password === null) return 1;

  loadDotEnv();
  const settings = loadSettings(process.env);
  const database = await openDatabase(databaseTargetOf(settings), { purpose: "maintenance" });
  try {
    await database.migrate();
    const db = database.db;
    const now = systemClock.now();
    switch (command.kind) {
      case "add": {
        await createOperator(db, { name: command.name, role: command.role, password: password ?? "", now });
        console.log(`added ${command.name} (${command.role})`);
        break;
      }
      case "passwd":
        await setOperatorPassword(db, command.name, password ?? "");
        console.log(
          `changed the password of ${command.name}; their sessions are closed and API tokens revoked`,
        );
        break;
      case "disable":
        await disableOperator(db, command.name, now);
        console.log(`disabled ${command.name}; their sessions are closed`);
        break;
      case "token": {
        const token = await createApiToken(db, { operatorName: command.name, label: command.label, now });
        // The only time the token is shown: it is stored as a hash.
        console.log(token);
        console.error(
          `an API token for ${command.name} (${command.label}): keep it secret; it is shown only now`,
        );
        break;
      }
      case "revoke-tokens": {
        const revoked = await revokeApiTokens(db, command.name);
        console.log(`revoked ${revoked} API token${revoked === 1 ? "" : "s"} of ${command.name}`);
        break;
      }
      case "unthrottle": {
        // The app's clock (FIXED_NOW in a demo), so "recent" means what the running line counts.
        const appNow = calendarFromSettings(settings).clock.now();
        console.log(unthrottledMessage(command.name, await unthrottleName(db, command.name, appNow)));
        break;
      }
      case "list":
        for (const o of await listOperators(db)) {
          const state = o.disabledAt ? `disabled ${o.disabledAt.toISOString()}` : "active";
          console.log(`${o.name}\t${o.role}\t${state}`);
        }
        break;
    }
    return 0;
  } catch (error) {
    if (error instanceof OperatorError) {
      console.error(`refused: ${error.message}`);
      return 1;
    }
    throw error;
  } finally {
    await database.close();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(
      error instanceof SettingsError ? error.message : `ops:user failed: ${safeErrorMessage(error)}`,
    );
    process.exit(1);
  },
);
