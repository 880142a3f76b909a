import { defineConfig } from "drizzle-kit";

// Only `drizzle-kit generate` uses this; the app applies migrations itself at start.
export default defineConfig({
  dialect: "postgresql",
  schema: "./src/db/schema/index.ts",
  out: "./drizzle",
});
