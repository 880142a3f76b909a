export * from "./calls.js";
export * from "./library.js";
export * from "./operators.js";
export * from "./renewals.js";
