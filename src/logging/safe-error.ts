/**
 * What of an error may be shown or logged. drizzle's DrizzleQueryError message quotes the
 * whole query with its parameters (card numbers, phones, hashes), so only its cause's message
 * and SQLSTATE are kept.
 */
export interface SafeError {
  name: string;
  message: string;
  code?: string;
}

export function safeError(error: unknown): SafeError {
  if (!(error instanceof Error)) return { name: "unknown", message: "unknown error" };
  const source = error.name === "DrizzleQueryError" && error.cause instanceof Error ? error.cause : error;
  const code = (source as { code?: unknown }).code;
  const message = source.message.replace(/params: .*/s, "").slice(0, 300);
  return typeof code === "string" ? { name: source.name, message, code } : { name: source.name, message };
}

export function safeErrorMessage(error: unknown): string {
  const { message, code } = safeError(error);
  return code ? `${message} (${code})` : message;
}
