/** The 98 answer's BX field: one Y or N per message, in the order SIP2 2.00 lists them. */
export const SUPPORTED_MESSAGE_NAMES = [
  "Patron Status Request",
  "Checkout",
  "Checkin",
  "Block Patron",
  "SC/ACS Status",
  "Request SC/ACS Resend",
  "Login",
  "Patron Information",
  "End Patron Session",
  "Fee Paid",
  "Item Information",
  "Item Status Update",
  "Patron Enable",
  "Hold",
  "Renew",
  "Renew All",
] as const;
export type SupportedMessageName = (typeof SUPPORTED_MESSAGE_NAMES)[number];

/** Each message's support, or null when the ILS sent no BX (SIP 1.0 ACSs do not). */
export function decodeSupportedMessages(bx: string | undefined): Map<SupportedMessageName, boolean> | null {
  if (bx === undefined) return null;
  return new Map(SUPPORTED_MESSAGE_NAMES.map((name, i) => [name, bx[i] === "Y"]));
}
