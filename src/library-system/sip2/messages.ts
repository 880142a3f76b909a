/**
 * The SIP2 2.00 messages the line uses, as data: fixed fields in order, then the variable fields
 * by code. The codec reads and writes every message from this table, and the message types are
 * derived from it, so the two cannot drift apart.
 *
 * Presence: "required" fields must be in an answer; "optional" ones may be absent; "repeated"
 * ones may appear any number of times (a list of charged items, screen messages …).
 */
import type { FixedFieldSpec, FixedValueByKind } from "./fixed-fields.js";

type Presence = "required" | "optional" | "repeated";

export interface VariableFieldSpec {
  code: string;
  name: string;
  presence: Presence;
}

export interface MessageSpec {
  title: string;
  fixed: readonly FixedFieldSpec[];
  variable: readonly VariableFieldSpec[];
}

const screenMessages = { code: "AF", name: "screenMessages", presence: "repeated" } as const;
const printLines = { code: "AG", name: "printLines", presence: "repeated" } as const;
const transactionDate = { name: "transactionDate", kind: "date-time", length: 18 } as const;

export const MESSAGES = {
  "93": {
    title: "Login",
    fixed: [
      { name: "uidAlgorithm", kind: "text", length: 1 },
      { name: "pwdAlgorithm", kind: "text", length: 1 },
    ],
    variable: [
      { code: "CN", name: "loginUserId", presence: "required" },
      { code: "CO", name: "loginPassword", presence: "required" },
      { code: "CP", name: "locationCode", presence: "optional" },
    ],
  },
  "94": {
    title: "Login Response",
    fixed: [{ name: "ok", kind: "zero-one", length: 1 }],
    variable: [],
  },
  "99": {
    title: "SC Status",
    fixed: [
      { name: "statusCode", kind: "text", length: 1 },
      { name: "maxPrintWidth", kind: "number", length: 3 },
      { name: "protocolVersion", kind: "text", length: 4 },
    ],
    variable: [],
  },
  "98": {
    title: "ACS Status",
    fixed: [
      { name: "onlineStatus", kind: "yes-no", length: 1 },
      { name: "checkinOk", kind: "yes-no", length: 1 },
      { name: "checkoutOk", kind: "yes-no", length: 1 },
      { name: "acsRenewalPolicy", kind: "yes-no", length: 1 },
      { name: "statusUpdateOk", kind: "yes-no", length: 1 },
      { name: "offlineOk", kind: "yes-no", length: 1 },
      { name: "timeoutPeriod", kind: "number", length: 3 },
      { name: "retriesAllowed", kind: "number", length: 3 },
      { name: "dateTimeSync", kind: "date-time", length: 18 },
      { name: "protocolVersion", kind: "text", length: 4 },
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AM", name: "libraryName", presence: "optional" },
      // Required by 2.00, but the 3M developers' guide's own example omits it: SIP 1.0 ACSs do.
      { code: "BX", name: "supportedMessages", presence: "optional" },
      { code: "AN", name: "terminalLocation", presence: "optional" },
      screenMessages,
      printLines,
    ],
  },
  "63": {
    title: "Patron Information",
    fixed: [
      { name: "language", kind: "text", length: 3 },
      transactionDate,
      { name: "summary", kind: "summary", length: 10 },
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AA", name: "patronIdentifier", presence: "required" },
      { code: "AC", name: "terminalPassword", presence: "optional" },
      { code: "AD", name: "patronPassword", presence: "optional" },
      { code: "BP", name: "startItem", presence: "optional" },
      { code: "BQ", name: "endItem", presence: "optional" },
    ],
  },
  "64": {
    title: "Patron Information Response",
    fixed: [
      { name: "patronStatus", kind: "patron-status", length: 14 },
      { name: "language", kind: "text", length: 3 },
      transactionDate,
      { name: "holdItemsCount", kind: "number", length: 4 },
      { name: "overdueItemsCount", kind: "number", length: 4 },
      { name: "chargedItemsCount", kind: "number", length: 4 },
      { name: "fineItemsCount", kind: "number", length: 4 },
      { name: "recallItemsCount", kind: "number", length: 4 },
      { name: "unavailableHoldsCount", kind: "number", length: 4 },
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AA", name: "patronIdentifier", presence: "required" },
      { code: "AE", name: "personalName", presence: "required" },
      { code: "BZ", name: "holdItemsLimit", presence: "optional" },
      { code: "CA", name: "overdueItemsLimit", presence: "optional" },
      { code: "CB", name: "chargedItemsLimit", presence: "optional" },
      { code: "BL", name: "validPatron", presence: "optional" },
      { code: "CQ", name: "validPatronPassword", presence: "optional" },
      { code: "BH", name: "currencyType", presence: "optional" },
      { code: "BV", name: "feeAmount", presence: "optional" },
      { code: "CC", name: "feeLimit", presence: "optional" },
      { code: "AS", name: "holdItems", presence: "repeated" },
      { code: "AT", name: "overdueItems", presence: "repeated" },
      { code: "AU", name: "chargedItems", presence: "repeated" },
      { code: "AV", name: "fineItems", presence: "repeated" },
      { code: "BU", name: "recallItems", presence: "repeated" },
      { code: "CD", name: "unavailableHoldItems", presence: "repeated" },
      { code: "BD", name: "homeAddress", presence: "optional" },
      { code: "BE", name: "emailAddress", presence: "optional" },
      { code: "BF", name: "homePhoneNumber", presence: "optional" },
      screenMessages,
      printLines,
    ],
  },
  "17": {
    title: "Item Information",
    fixed: [transactionDate],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AB", name: "itemIdentifier", presence: "required" },
      { code: "AC", name: "terminalPassword", presence: "optional" },
    ],
  },
  "18": {
    title: "Item Information Response",
    fixed: [
      { name: "circulationStatus", kind: "text", length: 2 },
      { name: "securityMarker", kind: "text", length: 2 },
      { name: "feeType", kind: "text", length: 2 },
      transactionDate,
    ],
    variable: [
      { code: "CF", name: "holdQueueLength", presence: "optional" },
      // Free text in practice (Koha, Evergreen and others each write dates their own way):
      // kept as sent; parseSipDateTime() reads it when it is in the 18-character form.
      { code: "AH", name: "dueDate", presence: "optional" },
      { code: "CJ", name: "recallDate", presence: "optional" },
      { code: "CM", name: "holdPickupDate", presence: "optional" },
      { code: "AB", name: "itemIdentifier", presence: "required" },
      { code: "AJ", name: "titleIdentifier", presence: "required" },
      { code: "BG", name: "owner", presence: "optional" },
      { code: "BH", name: "currencyType", presence: "optional" },
      { code: "BV", name: "feeAmount", presence: "optional" },
      { code: "CK", name: "mediaType", presence: "optional" },
      { code: "AQ", name: "permanentLocation", presence: "optional" },
      { code: "AP", name: "currentLocation", presence: "optional" },
      { code: "CH", name: "itemProperties", presence: "optional" },
      screenMessages,
      printLines,
    ],
  },
  "29": {
    title: "Renew",
    fixed: [
      { name: "thirdPartyAllowed", kind: "yes-no", length: 1 },
      { name: "noBlock", kind: "yes-no", length: 1 },
      transactionDate,
      { name: "nbDueDate", kind: "optional-date-time", length: 18 },
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AA", name: "patronIdentifier", presence: "required" },
      { code: "AD", name: "patronPassword", presence: "optional" },
      { code: "AB", name: "itemIdentifier", presence: "optional" },
      { code: "AJ", name: "titleIdentifier", presence: "optional" },
      { code: "AC", name: "terminalPassword", presence: "optional" },
      { code: "CH", name: "itemProperties", presence: "optional" },
      { code: "BO", name: "feeAcknowledged", presence: "optional" },
    ],
  },
  "30": {
    title: "Renew Response",
    fixed: [
      { name: "ok", kind: "zero-one", length: 1 },
      { name: "renewalOk", kind: "yes-no", length: 1 },
      { name: "magneticMedia", kind: "yes-no-unknown", length: 1 },
      { name: "desensitize", kind: "yes-no-unknown", length: 1 },
      transactionDate,
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AA", name: "patronIdentifier", presence: "required" },
      { code: "AB", name: "itemIdentifier", presence: "required" },
      { code: "AJ", name: "titleIdentifier", presence: "required" },
      // Required by 2.00, yet a refused renewal has no new due date to give: absent is allowed.
      { code: "AH", name: "dueDate", presence: "optional" },
      { code: "BT", name: "feeType", presence: "optional" },
      { code: "CI", name: "securityInhibit", presence: "optional" },
      { code: "BH", name: "currencyType", presence: "optional" },
      { code: "BV", name: "feeAmount", presence: "optional" },
      { code: "CK", name: "mediaType", presence: "optional" },
      { code: "CH", name: "itemProperties", presence: "optional" },
      { code: "BK", name: "transactionId", presence: "optional" },
      screenMessages,
      printLines,
    ],
  },
  "65": {
    title: "Renew All",
    fixed: [transactionDate],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "AA", name: "patronIdentifier", presence: "required" },
      { code: "AD", name: "patronPassword", presence: "optional" },
      { code: "AC", name: "terminalPassword", presence: "optional" },
      { code: "BO", name: "feeAcknowledged", presence: "optional" },
    ],
  },
  "66": {
    title: "Renew All Response",
    fixed: [
      { name: "ok", kind: "zero-one", length: 1 },
      { name: "renewedCount", kind: "number", length: 4 },
      { name: "unrenewedCount", kind: "number", length: 4 },
      transactionDate,
    ],
    variable: [
      { code: "AO", name: "institutionId", presence: "required" },
      { code: "BM", name: "renewedItems", presence: "repeated" },
      { code: "BN", name: "unrenewedItems", presence: "repeated" },
      screenMessages,
      printLines,
    ],
  },
} as const satisfies Record<string, MessageSpec>;

export type MessageCode = keyof typeof MESSAGES;
export const REQUEST_CODES = ["93", "99", "63", "17", "29", "65"] as const satisfies readonly MessageCode[];
export const ANSWER_CODES = ["94", "98", "64", "18", "30", "66"] as const satisfies readonly MessageCode[];
export type RequestCode = (typeof REQUEST_CODES)[number];
export type AnswerCode = (typeof ANSWER_CODES)[number];

/** "Request SC Resend": the ACS could not read our last message (bad checksum) and asks again. */
export const REQUEST_SC_RESEND = "96";

export function isMessageCode(code: string): code is MessageCode {
  return Object.hasOwn(MESSAGES, code);
}

/** A field the table does not name, kept in the order received. */
export interface UnknownField {
  code: string;
  value: string;
}

type Spec<C extends MessageCode> = (typeof MESSAGES)[C];
type FixedPart<F extends readonly FixedFieldSpec[]> = {
  [S in F[number] as S["name"]]: FixedValueByKind[S["kind"]];
};
type NamesWith<V extends readonly VariableFieldSpec[], P extends Presence> = Extract<
  V[number],
  { presence: P }
>["name"];
type VariablePart<V extends readonly VariableFieldSpec[]> = { [N in NamesWith<V, "required">]: string } & {
  [N in NamesWith<V, "optional">]?: string;
} & { [N in NamesWith<V, "repeated">]: string[] };

/**
 * One message: its code, its fixed fields by name, its variable fields by name. Distributes over
 * a union of codes, so Sip2Message<MessageCode> is the union a switch on `code` narrows.
 */
export type Sip2Message<C extends MessageCode> = C extends MessageCode
  ? { code: C } & FixedPart<Spec<C>["fixed"]> &
      VariablePart<Spec<C>["variable"]> & {
        /** Fields this table does not know (ILS extensions such as Polaris's PA or Evergreen's XI). */
        unknownFields?: UnknownField[];
      }
  : never;

export type LoginRequest = Sip2Message<"93">;
export type LoginResponse = Sip2Message<"94">;
export type ScStatusRequest = Sip2Message<"99">;
export type AcsStatusResponse = Sip2Message<"98">;
export type PatronInformationRequest = Sip2Message<"63">;
export type PatronInformationResponse = Sip2Message<"64">;
export type ItemInformationRequest = Sip2Message<"17">;
export type ItemInformationResponse = Sip2Message<"18">;
export type RenewRequest = Sip2Message<"29">;
export type RenewResponse = Sip2Message<"30">;
export type RenewAllRequest = Sip2Message<"65">;
export type RenewAllResponse = Sip2Message<"66">;
