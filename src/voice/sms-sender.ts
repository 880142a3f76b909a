/** SMS through the twilio package's REST client (msw intercepts it in tests). */
import twilio from "twilio";
import type { SmsSender } from "./actions/types.js";

export function twilioSmsSender(accountSid: string, authToken: string, from: string): SmsSender {
  // Inside the webhook's budget (WEBHOOK_BUDGET_MS, 3.5 s): a slow API is heard as "the SMS could
  // not be sent", not as the apology that ends the call.
  const client = twilio(accountSid, authToken, { timeout: 2500 });
  return async (to, body) => {
    await client.messages.create(
      from.startsWith("MG") ? { to, body, messagingServiceSid: from } : { to, body, from },
    );
  };
}
