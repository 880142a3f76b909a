/**
 * Variable-length fields: "XXvalue|" one after another, in any order. A field's code is two
 * characters: letters, or a letter and a digit for ILS extensions (Polaris's U1 … U5).
 */
export interface RawField {
  code: string;
  value: string;
  /** Index of the field's code in the whole line, for error messages. */
  position: number;
}

const FIELD_CODE = /^[A-Z][A-Z0-9]$/;

/**
 * Splits the variable part into fields. The last field may lack its "|" when the line has no
 * AY/AZ trailer (dp2's published examples end so). Returns the index of a malformed field instead
 * of throwing, so the caller can name the message in its error.
 */
export function splitFields(text: string, offset: number): RawField[] | { malformedAt: number } {
  if (text === "") return [];
  const pieces = text.split("|");
  if (text.endsWith("|")) pieces.pop();
  const fields: RawField[] = [];
  let position = offset;
  for (const piece of pieces) {
    const code = piece.slice(0, 2);
    if (!FIELD_CODE.test(code)) return { malformedAt: position };
    fields.push({ code, value: piece.slice(2), position });
    position += piece.length + 1;
  }
  return fields;
}

/** A value that would break the framing if written as it is. */
export function breaksFraming(value: string): boolean {
  return /[|\r\n]/.test(value);
}
