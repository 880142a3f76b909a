/** SMS through the twilio package's REST client (msw intercepts it in tests). */
import twilio from "twilio";
import type { SmsSender } from "./actions/types.js";

export function twilioSmsSender(accountSid: string, authToken: string, from: string): SmsSender {
  const client = twilio(accountSid, authToken);
  return async (to, body) => {
    await client.messages.create(
      from.startsWith("MG") ? { to, body, messagingServiceSid: from } : { to, body, from },
    );
  };
}
