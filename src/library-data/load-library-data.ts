/**
 * Loads an import file in one transaction (library-data.md): its rows are staged in TEMP tables,
 * checked between rows in SQL when they have not been already, and merged set-based
 * (staging.ts, staged-checks.ts, merge-staged.ts). A problem anywhere rolls it all back.
 */
import { sql } from "drizzle-orm";
import type { Database, DbOrTx } from "../db/database.js";
import { rowsOf } from "../db/migrations.js";
import type { DeriveKey } from "../security/pin-hash.js";
import { sharedScryptPool } from "../security/scrypt-pool.js";
import type { LibraryData } from "./import-schema.js";
import { mergeStaged, type PhoneRenewals } from "./merge-staged.js";
import { stageJsonLines } from "./read-json-lines.js";
import { type LineProblem, stagedProblems } from "./staged-checks.js";
import {
  Staging,
  type StagingTable,
  stagedCharge,
  stagedClosedDay,
  stagedItem,
  stagedLoan,
  stagedPatron,
  stagedReservation,
  stagedTitle,
} from "./staging.js";

export interface LoadOptions {
  replace: boolean;
  /** Key of the HKID digits hash (IDENTITY_HASH_KEY). */
  identityHashKey: string;
  /** Where plain PINs are hashed; by default the process's worker pool, one thread per core. */
  derive?: DeriveKey;
}

export interface LoadSummary {
  closedDays: number;
  patrons: number;
  titles: number;
  items: number;
  loans: number;
  reservations: number;
  charges: number;
}

export type { PhoneRenewals };

/** A load that went in: its counts, and what it did to loans renewed through this line. */
export interface LoadOutcome {
  summary: LoadSummary;
  exportedAt: string | null;
  phoneRenewals: PhoneRenewals;
}

/** How many problems a refused JSON Lines file prints: a broken export could have millions. */
export const PROBLEMS_SHOWN = 100;

export type LinesLoadResult =
  | ({ ok: true } & LoadOutcome)
  | { ok: false; problemCount: number; problems: string[] };

/** Loads a JSON document already checked whole by validateLibraryData. */
export async function loadLibraryData(
  db: Database,
  data: LibraryData,
  options: LoadOptions,
): Promise<LoadOutcome> {
  return inLoadTransaction(db, options, async (staging) => {
    const key = staging.identityHashKey;
    for (const [i, day] of data.closedDays.entries())
      await staging.add("closed_days", stagedClosedDay(i, day));
    for (const [i, p] of data.patrons.entries())
      await staging.add("patrons", stagedPatron(i, p, p, key), p.pin);
    for (const [i, t] of data.titles.entries()) await staging.add("titles", stagedTitle(i, t, t));
    for (const [i, it] of data.items.entries()) await staging.add("items", stagedItem(i, it, it));
    for (const [i, ln] of data.loans.entries()) await staging.add("loans", stagedLoan(i, ln, ln));
    for (const [i, r] of data.reservations.entries())
      await staging.add("reservations", stagedReservation(i, r));
    for (const [i, c] of data.charges.entries()) await staging.add("charges", stagedCharge(i, c, c));
    await staging.finish();
    return { summary: summaryOf(staging.counts), exportedAt: data.exportedAt ?? null };
  });
}

class Refused extends Error {
  constructor(
    readonly problemCount: number,
    readonly problems: string[],
  ) {
    super("the import file has problems");
  }
}

/**
 * Loads a JSON Lines file as it is read. Every problem is counted, and the first PROBLEMS_SHOWN
 * by line come back as "line 12: loan.dueOn: …"; then nothing was written.
 */
export async function loadLibraryLines(
  db: Database,
  lines: AsyncIterable<string>,
  options: LoadOptions,
): Promise<LinesLoadResult> {
  try {
    const outcome = await inLoadTransaction(db, options, async (staging, tx) => {
      let lineProblemCount = 0;
      const lineProblems: LineProblem[] = [];
      const { exportedAt } = await stageJsonLines(lines, staging, (problem) => {
        lineProblemCount++;
        // Lines come in order, so the first ones found are the first by line.
        if (lineProblems.length < PROBLEMS_SHOWN) lineProblems.push(problem);
      });
      await staging.finish();
      const between = await stagedProblems(tx, PROBLEMS_SHOWN);
      const count = lineProblemCount + between.count;
      if (count > 0) {
        const first = [...lineProblems, ...between.first]
          .sort((a, b) => a.line - b.line)
          .slice(0, PROBLEMS_SHOWN)
          .map((p) => `line ${p.line}: ${p.message}`);
        throw new Refused(count, first);
      }
      return { summary: summaryOf(staging.counts), exportedAt };
    });
    return { ok: true, ...outcome };
  } catch (error) {
    if (error instanceof Refused)
      return { ok: false, problemCount: error.problemCount, problems: error.problems };
    throw error;
  }
}

/** What staging found: the counts, and the file's exportedAt, which the merge honours. */
interface Staged {
  summary: LoadSummary;
  exportedAt: string | null;
}

async function inLoadTransaction(
  db: Database,
  options: LoadOptions,
  stage: (staging: Staging, tx: DbOrTx) => Promise<Staged>,
): Promise<LoadOutcome> {
  return db.transaction(async (tx) => {
    // The load waits for PIN hashing with its transaction open: the server must not take that
    // for a client gone quiet. Nothing outside the TEMP tables is locked until the merge.
    await tx.execute(sql`set local idle_in_transaction_session_timeout = 0`);
    await tuneForBulk(tx);
    const staging = await Staging.open(tx, {
      replace: options.replace,
      identityHashKey: options.identityHashKey,
      derive: options.derive ?? sharedScryptPool().derive,
    });
    const staged = await stage(staging, tx);
    const phoneRenewals = await mergeStaged(tx, { replace: options.replace, exportedAt: staged.exportedAt });
    return { ...staged, phoneRenewals };
  });
}

/**
 * Room to sort and hash millions of staged rows in memory rather than on disk: PostgreSQL's 4 MB
 * work_mem and 8 MB temp_buffers are sized for many small queries, not one large load.
 */
async function tuneForBulk(tx: DbOrTx): Promise<void> {
  await tx.execute(sql`set local work_mem = '128MB'`);
  // temp_buffers can only change before the session's first TEMP table (PostgreSQL refuses after).
  const [fresh] = rowsOf<{ fresh: boolean }>(await tx.execute(sql`select pg_my_temp_schema() = 0 as fresh`));
  if (fresh?.fresh) await tx.execute(sql`set local temp_buffers = '256MB'`);
}

function summaryOf(counts: Record<StagingTable, number>): LoadSummary {
  return {
    closedDays: counts.closed_days,
    patrons: counts.patrons,
    titles: counts.titles,
    items: counts.items,
    loans: counts.loans,
    reservations: counts.reservations,
    charges: counts.charges,
  };
}
