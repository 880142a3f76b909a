import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // The line compiled to dist/ as npm start runs it, for the suites that start it as a process.
    globalSetup: ["test/global-setup.ts"],
    // The database suites share one PGlite or PostgreSQL per file; files run in parallel forks.
    pool: "forks",
    testTimeout: 30_000,
    hookTimeout: 60_000,
    // Tests must not depend on the machine's zone: the server in CI runs on UTC.
    env: { TZ: "UTC" },
  },
});
