/**
 * Managing operators from the console, for admins only: the page, adding an operator, setting a
 * new password, disabling one, and the list as JSON. The same functions as `npm run ops:user`.
 * Passwords go from the form to the hash and nowhere else: not the log, a URL or the page.
 */
import express, { type Response, type Router } from "express";
import { z } from "zod";
import { OPERATOR_ROLES, type Operator } from "../../db/schema/index.js";
import { MAX_PASSWORD_LENGTH, MIN_PASSWORD_LENGTH } from "../../security/password-hash.js";
import type { ConsoleContext } from "../console-context.js";
import { requireOperator, viewerOf } from "../guard.js";
import {
  createOperator,
  disableOperator,
  findOperatorByName,
  listOperators,
  OPERATOR_NAME,
  OperatorError,
  setOperatorPassword,
} from "../operators.js";
import {
  type AddFormValues,
  OPERATOR_DONE,
  type OperatorDone,
  type OperatorsNotice,
  OperatorsPage,
  operatorViews,
} from "../views/operators-page.js";
import { sendPage } from "../views/page.js";

const NAME_RULE = "A name is 1 to 64 letters, digits, dots, dashes or underscores.";
const PASSWORD_RULE = `A password has ${MIN_PASSWORD_LENGTH} to ${MAX_PASSWORD_LENGTH} characters.`;
const PASSWORDS_DIFFER = "The two passwords differ.";

const passwordFields = {
  password: z
    .string({ error: PASSWORD_RULE })
    .min(MIN_PASSWORD_LENGTH, PASSWORD_RULE)
    .max(MAX_PASSWORD_LENGTH, PASSWORD_RULE),
  passwordAgain: z.string({ error: PASSWORDS_DIFFER }),
};
const samePasswords = (form: { password: string; passwordAgain: string }) =>
  form.password === form.passwordAgain;

const newPasswordForm = z
  .object(passwordFields)
  .refine(samePasswords, { error: PASSWORDS_DIFFER, path: ["passwordAgain"] });

const addForm = z
  .object({
    name: z
      .string({ error: NAME_RULE })
      .trim()
      .regex(OPERATOR_NAME, NAME_RULE)
      // Dot segments: a browser rewrites /ops/operators/../password, so the page could not manage them.
      .refine((name) => name !== "." && name !== "..", 'A name cannot be "." or "..".'),
    role: z.enum(OPERATOR_ROLES, { error: `A role is one of: ${OPERATOR_ROLES.join(", ")}.` }),
    ...passwordFields,
  })
  .refine(samePasswords, { error: PASSWORDS_DIFFER, path: ["passwordAgain"] });

/** What the add form can show back after a refusal: a valid role, and the name only if it is one. */
const addFormEcho = z.object({
  name: z.string().trim().regex(OPERATOR_NAME).catch(""),
  role: z.enum(OPERATOR_ROLES).catch("staff"),
});

const targetParams = z.object({ name: z.string().regex(OPERATOR_NAME) });

const pageQuery = z.object({ done: z.enum(OPERATOR_DONE).optional() }).catch({});

/** Every distinct message, in the order of the form's fields. */
function messagesOf(error: z.ZodError): string {
  return [...new Set(error.issues.map((issue) => issue.message))].join(" ");
}

const doneUrl = (done: OperatorDone) => `/ops/operators?done=${done}`;

export function operatorsRoutes(context: ConsoleContext): Router {
  const { db, logger } = context;
  const router = express.Router();
  const adminOnly = requireOperator({ role: "admin" });

  async function sendOperatorsPage(
    res: Response,
    notice: OperatorsNotice,
    status = 200,
    addFormValues?: AddFormValues,
  ): Promise<void> {
    const operators = operatorViews(await listOperators(db), context.timeZone);
    sendPage(
      res,
      OperatorsPage({ viewer: viewerOf(res), operators, notice, addForm: addFormValues }),
      status,
    );
  }

  const refuse = (res: Response, status: number, message: string, addFormValues?: AddFormValues) =>
    sendOperatorsPage(res, { kind: "refused", message }, status, addFormValues);

  /** The operator a path names, or a 404 page saying there is none. */
  async function targetOf(res: Response, params: unknown): Promise<Operator | null> {
    const path = targetParams.safeParse(params);
    const found = path.success ? await findOperatorByName(db, path.data.name) : null;
    if (!found) await refuse(res, 404, "There is no such operator.");
    return found;
  }

  router.get("/operators", adminOnly, async (req, res) => {
    const { done } = pageQuery.parse(req.query);
    await sendOperatorsPage(res, done ? { kind: "done", done } : { kind: "none" });
  });

  router.post("/operators", adminOnly, async (req, res) => {
    const body: unknown = req.body ?? {};
    const form = addForm.safeParse(body);
    if (!form.success) {
      await refuse(res, 400, messagesOf(form.error), addFormEcho.parse(body));
      return;
    }
    const { name, role, password } = form.data;
    try {
      await createOperator(db, { name, role, password, now: context.clock.now() });
    } catch (error) {
      if (!(error instanceof OperatorError)) throw error;
      await refuse(res, 400, `There is already an operator named ${name}.`, { name, role });
      return;
    }
    logger.info({ operator: viewerOf(res).operator.name, target: name, role }, "ops operator added");
    res.redirect(303, doneUrl("added"));
  });

  router.post("/operators/:name/password", adminOnly, async (req, res) => {
    const found = await targetOf(res, req.params);
    if (!found) return;
    const target = found.name;
    const form = newPasswordForm.safeParse(req.body ?? {});
    if (!form.success) {
      await refuse(res, 400, `${target}: ${messagesOf(form.error)}`);
      return;
    }
    await setOperatorPassword(db, target, form.data.password);
    const operator = viewerOf(res).operator.name;
    logger.info({ operator, target }, "ops operator password set");
    // Their own new password closed this session too: the next page is the login.
    res.redirect(303, target === operator ? "/ops/login" : doneUrl("password"));
  });

  router.post("/operators/:name/disable", adminOnly, async (req, res) => {
    const found = await targetOf(res, req.params);
    if (!found) return;
    const target = found.name;
    const operator = viewerOf(res).operator.name;
    // Also keeps one admin able to sign in: the one disabling is never the one disabled.
    if (target === operator) {
      await refuse(res, 400, "You cannot disable yourself: ask another admin.");
      return;
    }
    if (found.disabledAt) {
      await refuse(res, 409, `${target} is already disabled. Nothing was changed.`);
      return;
    }
    await disableOperator(db, target, context.clock.now());
    logger.info({ operator, target }, "ops operator disabled");
    res.redirect(303, doneUrl("disabled"));
  });

  router.get("/api/operators", adminOnly, async (_req, res) => {
    const rows = await listOperators(db);
    res.json({
      operators: rows.map((o) => ({
        name: o.name,
        role: o.role,
        createdAt: o.createdAt.toISOString(),
        disabledAt: o.disabledAt?.toISOString() ?? null,
      })),
    });
  });

  return router;
}
