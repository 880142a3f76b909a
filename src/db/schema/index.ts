export * from "./calls.js";
export * from "./library.js";
export * from "./renewals.js";
