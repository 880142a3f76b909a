/**
 * The floor: what any Twilio webhook costs in this stack before the line does any work of its
 * own. Express 5, `express.urlencoded`, twilio's signature check and a VoiceResponse Gather
 * rendered per request, with no database. Started as a process of its own, like the line:
 * PORT, PUBLIC_BASE_URL and TWILIO_AUTH_TOKEN from the environment.
 */
import express from "express";
import twilio from "twilio";

const port = Number(process.env.PORT ?? 0);
const authToken = process.env.TWILIO_AUTH_TOKEN ?? "";
const publicBaseUrl = (process.env.PUBLIC_BASE_URL ?? `http://127.0.0.1:${port}`).replace(/\/+$/, "");
if (authToken.length < 8) throw new Error("TWILIO_AUTH_TOKEN is required");

const app = express();
app.get("/healthz", (_req, res) => {
  res.type("text/plain").send("ok");
});
app.use("/voice", express.urlencoded({ extended: false, limit: "20kb" }));
app.use("/voice", (req, res, next) => {
  const signature = req.header("x-twilio-signature") ?? "";
  const params = (req.body ?? {}) as Record<string, string>;
  if (!twilio.validateRequest(authToken, signature, `${publicBaseUrl}${req.originalUrl}`, params)) {
    res.status(403).type("text/plain").send("Forbidden");
    return;
  }
  next();
});
app.post("/voice/status", (_req, res) => {
  res.type("text/xml").send(new twilio.twiml.VoiceResponse().toString());
});
app.post("/voice/{*rest}", (req, res) => {
  const seq = Number.parseInt(String(req.query.seq ?? "0"), 10) + 1;
  const response = new twilio.twiml.VoiceResponse();
  const gather = response.gather({
    input: ["dtmf"],
    action: `${publicBaseUrl}/voice/step?seq=${seq}`,
    method: "POST",
    timeout: 8,
    finishOnKey: "",
    numDigits: 1,
    actionOnEmptyResult: true,
  });
  gather.say(
    { voice: "Polly.Joanna" as never, language: "en-US" as never },
    "Press 9 to hear the menu again.",
  );
  response.redirect({ method: "POST" }, `${publicBaseUrl}/voice/step?seq=${seq}`);
  res.type("text/xml").send(response.toString());
});

const server = app.listen(port);
const stop = () => server.close(() => process.exit(0));
process.once("SIGTERM", stop);
process.once("SIGINT", stop);
