/** `npm run bench -- [--quick] [--only a,b] [--library 10k|1m] [--max-wait S]`. */
import { parseArgs } from "node:util";
import { z } from "zod";

export const SCENARIOS = ["busy-hour", "stress", "per-step", "scale", "import"] as const;
export type ScenarioName = (typeof SCENARIOS)[number];

const optionsSchema = z.object({
  quick: z.boolean(),
  only: z.array(z.enum(SCENARIOS)),
  library: z.enum(["10k", "1m"]).optional(),
  adminUrl: z.url({ protocol: /^postgres(ql)?$/ }),
  maxWaitSeconds: z.coerce.number().int().min(0),
});
export type BenchOptions = z.infer<typeof optionsSchema>;

export const USAGE = `usage: npm run bench -- [options]
  --quick            a 2-minute subset: the 10k library only, short scenarios, no import
  --only LIST        scenarios to run, comma-separated: ${SCENARIOS.join(", ")}
  --library 10k|1m   the library for busy-hour, stress and per-step (default: 1m, or 10k with --quick)
  --max-wait S       how long to wait for a quiet machine (1-minute load < 1) before each scenario
  --admin-url URL    a PostgreSQL the bench may create databases in (default: $BENCH_DATABASE_URL or postgres://postgres@127.0.0.1:5432/postgres)`;

export function parseOptions(argv: string[]): BenchOptions {
  const { values } = parseArgs({
    args: argv,
    options: {
      quick: { type: "boolean", default: false },
      only: { type: "string" },
      library: { type: "string" },
      "max-wait": { type: "string" },
      "admin-url": { type: "string" },
      help: { type: "boolean", default: false },
    },
  });
  if (values.help) {
    console.log(USAGE);
    process.exit(0);
  }
  const quick = values.quick ?? false;
  const parsed = optionsSchema.safeParse({
    quick,
    only: values.only
      ? values.only.split(",").map((name) => name.trim())
      : SCENARIOS.filter((s) => !(quick && s === "import")),
    library: values.library,
    adminUrl:
      values["admin-url"] ?? process.env.BENCH_DATABASE_URL ?? "postgres://postgres@127.0.0.1:5432/postgres",
    maxWaitSeconds: values["max-wait"] ?? (quick ? 10 : 180),
  });
  if (!parsed.success) {
    console.error(
      parsed.error.issues.map((issue) => `--${issue.path.join(".")}: ${issue.message}`).join("\n"),
    );
    console.error(USAGE);
    process.exit(2);
  }
  return parsed.data;
}
