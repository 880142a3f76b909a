/** SMS through the twilio package's REST client (msw intercepts it in tests). */
import twilio from "twilio";
import type { SmsSender } from "./actions/types.js";

export function twilioSmsSender(accountSid: string, authToken: string, from: string): SmsSender {
  // Well inside Twilio's 15 s webhook timeout: a slow API must not cost the caller the call.
  const client = twilio(accountSid, authToken, { timeout: 5000 });
  return async (to, body) => {
    await client.messages.create(
      from.startsWith("MG") ? { to, body, messagingServiceSid: from } : { to, body, from },
    );
  };
}
