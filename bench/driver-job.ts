/** What run.ts asks the driver process to do, and what the driver answers: JSON over a file. */
import { z } from "zod";
import { PLAN_NAMES } from "./call-plans.js";
import type { CpuUsage } from "./cpu-usage.js";
import type { LatencySummary } from "./stats.js";

export const phaseSchema = z.object({
  name: z.string(),
  baseUrl: z.url(),
  plan: z.enum(PLAN_NAMES),
  readers: z.number().int().positive(),
  concurrency: z.number().int().positive(),
  durationMs: z.number().int().positive(),
  /** Rates are counted after this, once every caller is past its opening. */
  warmupMs: z.number().int().nonnegative(),
  /** The caller's pause before each key, drawn evenly from [min, max]. */
  thinkMs: z.tuple([z.number().nonnegative(), z.number().nonnegative()]),
  /** Ramp the callers in over this long, so 500 calls do not all ring in the same millisecond. */
  rampMs: z.number().int().nonnegative().default(0),
  /** Full-speed phases: how many calls may be logging in at once on their way to the cycle. */
  openingConcurrency: z.number().int().positive().default(4),
  seed: z.number().int().default(1),
  /** The server's process, to tell how much CPU it used in the phase. */
  linePid: z.number().int().positive().optional(),
});
export type Phase = z.infer<typeof phaseSchema>;

export const jobSchema = z.object({
  authToken: z.string().min(8),
  phases: z.array(phaseSchema).min(1),
  resultFile: z.string(),
});
export type DriverJob = z.infer<typeof jobSchema>;

export interface LabelResult extends LatencySummary {
  login: boolean;
  /** Answers of this label completed per second in the measuring window. */
  perSecond: number;
}

export interface PhaseResult {
  name: string;
  plan: string;
  concurrency: number;
  wallSeconds: number;
  windowSeconds: number;
  calls: {
    started: number;
    asPlanned: number;
    busy: number;
    unexpected: number;
    /** Still going at the end of the phase: the caller hung up (neither planned nor an error). */
    cutAtDeadline: number;
    perSecond: number;
  };
  webhooks: { total: number; errors: number; busy: number };
  /** Webhook errors by kind: http-500, apology, slow, timeout, network. */
  errors: Record<string, number>;
  /** Calls that did not end as their plan expected, by why: heard-failure, ended-early, a CallError reason. */
  callErrors: Record<string, number>;
  errorSamples: string[];
  byLabel: Record<string, LabelResult>;
  login: LatencySummary;
  nonLogin: LatencySummary;
  /** Answers carrying x-renewline-busy (load shedding), and how fast they came. */
  busyAnswers: LatencySummary;
  /** Of those, the answers to a call's first webhook: callers beyond capacity, turned away. */
  busyNewCalls: LatencySummary;
  /** Cores busy on average during the phase (its setup included). */
  cpu: CpuUsage;
}
