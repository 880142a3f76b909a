export * from "./library.js";
export * from "./renewals.js";
