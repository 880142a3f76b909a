/**
 * The operator console's people and their sessions (issue 4, "Operators"). Passwords are stored
 * only as scrypt hashes and session tokens only as SHA-256 hashes, so a copy of the database lets
 * no one sign in. Failed logins live here too, so that every instance counts them.
 */
import { sql } from "drizzle-orm";
import { check, index, integer, pgTable, serial, text, timestamp } from "drizzle-orm/pg-core";

export const OPERATOR_ROLES = ["staff", "admin"] as const;
export type OperatorRole = (typeof OPERATOR_ROLES)[number];

export const operators = pgTable(
  "operators",
  {
    id: serial("id").primaryKey(),
    name: text("name").notNull().unique("operators_name_key"),
    role: text("role", { enum: OPERATOR_ROLES }).notNull(),
    passwordHash: text("password_hash").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    disabledAt: timestamp("disabled_at", { withTimezone: true, mode: "date" }),
  },
  (t) => [check("operators_role_known", sql`${t.role} in ('staff', 'admin')`)],
);

export const operatorSessions = pgTable(
  "operator_sessions",
  {
    /** SHA-256 (hex) of the token in the cookie; the token itself is never stored. */
    id: text("id").primaryKey(),
    operatorId: integer("operator_id")
      .notNull()
      .references(() => operators.id, { onDelete: "cascade" }),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
    expiresAt: timestamp("expires_at", { withTimezone: true, mode: "date" }).notNull(),
    /** Every form of this session carries it (hidden field `csrf`). */
    csrfToken: text("csrf_token").notNull(),
  },
  (t) => [
    index("operator_sessions_operator_idx").on(t.operatorId),
    index("operator_sessions_expires_at_idx").on(t.expiresAt),
  ],
);

/** One row per failed login, by the name tried and the address it came from. */
export const operatorLoginFailures = pgTable(
  "operator_login_failures",
  {
    id: serial("id").primaryKey(),
    at: timestamp("at", { withTimezone: true, mode: "date" }).notNull(),
    name: text("name").notNull(),
    ip: text("ip").notNull(),
  },
  (t) => [
    index("operator_login_failures_name_idx").on(t.name, t.at),
    index("operator_login_failures_ip_idx").on(t.ip, t.at),
  ],
);

/**
 * Tokens for the JSON API (`Authorization: Bearer ...`), for scripts and other systems that read
 * the console's data. Stored only as SHA-256 hashes; each acts with its operator's role.
 */
export const operatorApiTokens = pgTable(
  "operator_api_tokens",
  {
    id: serial("id").primaryKey(),
    operatorId: integer("operator_id")
      .notNull()
      .references(() => operators.id, { onDelete: "cascade" }),
    /** SHA-256 (hex) of the token; the token is shown once, when it is made. */
    tokenHash: text("token_hash").notNull().unique("operator_api_tokens_token_hash_key"),
    label: text("label").notNull(),
    createdAt: timestamp("created_at", { withTimezone: true, mode: "date" }).notNull(),
  },
  (t) => [index("operator_api_tokens_operator_idx").on(t.operatorId)],
);

export type Operator = typeof operators.$inferSelect;
export type OperatorSession = typeof operatorSessions.$inferSelect;
