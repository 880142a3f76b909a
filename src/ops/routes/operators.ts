import express, { type Router } from "express";
import type { ConsoleContext } from "../console-context.js";

/** Placeholder until this page is built. */
export function operatorsRoutes(_context: ConsoleContext): Router {
  return express.Router();
}
