/** Why a renewal request could not be carried out at all (as opposed to a refused loan). */
export class RenewalRequestError extends Error {
  override name = "RenewalRequestError";
  constructor(
    readonly code: "UNKNOWN_ACCOUNT" | "UNKNOWN_LOAN" | "REQUEST_KEY_REUSED" | "CONCURRENT_UPDATE",
    message: string,
  ) {
    super(message);
  }
}
