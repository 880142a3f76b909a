import { describe, expect, it } from "vitest";
import { appendErrorDetection } from "../../../../src/library-system/sip2/checksum.js";
import { decodeAnswer, encodeMessage } from "../../../../src/library-system/sip2/codec.js";
import { EXAMPLES } from "./examples.js";

// The fixed part of the example 64: status, language, date and the six counts (61 characters).
const FIXED_64 = encodeMessage(EXAMPLES["64"]).slice(0, 61);

function shuffled<T>(items: T[], seed: number): T[] {
  const out = [...items];
  let state = seed;
  for (let i = out.length - 1; i > 0; i--) {
    state = (state * 1103515245 + 12345) % 2 ** 31;
    const j = state % (i + 1);
    [out[i], out[j]] = [out[j] as T, out[i] as T];
  }
  return out;
}

describe("variable fields", () => {
  it.each([1, 2, 3, 4, 5])("are read in any order (shuffle %i)", (seed) => {
    const line = encodeMessage(EXAMPLES["64"]);
    const fixedEnd = FIXED_64.length;
    const fields = line.slice(fixedEnd, -1).split("|");
    const reordered = `${line.slice(0, fixedEnd)}${shuffled(fields, seed).join("|")}|`;
    const { message } = decodeAnswer(appendErrorDetection(reordered, 1), "64", { sequence: 1 });
    expect(message.patronIdentifier).toBe("21234000012345");
    expect(message.feeAmount).toBe("12.50");
    // Repeated fields keep the order they came in.
    const chargedOrder = fields.filter((f) => f.startsWith("AU")).map((f) => f.slice(2));
    const arrived = shuffled(fields, seed)
      .filter((f) => f.startsWith("AU"))
      .map((f) => f.slice(2));
    expect(message.chargedItems).toEqual(arrived);
    expect([...message.chargedItems].sort()).toEqual([...chargedOrder].sort());
  });

  it("gather repeated AU charged items and AF screen messages into lists", () => {
    const line = `${FIXED_64}AOHKPL|AA2123|AEChan|AU3900001|AFfirst|AU3900002|AU3900003|AFsecond|`;
    const { message } = decodeAnswer(appendErrorDetection(line, 0), "64");
    expect(message.chargedItems).toEqual(["3900001", "3900002", "3900003"]);
    expect(message.screenMessages).toEqual(["first", "second"]);
    expect(message.holdItems).toEqual([]);
  });

  it("gather repeated BM renewed and BN unrenewed items into lists", () => {
    const line =
      "6610002000220250314    101500AOHKPL|BM3900001|BN3900003|BM3900002|BN3900004|AFTwo items not renewed|";
    const { message } = decodeAnswer(appendErrorDetection(line, 6), "66", { sequence: 6 });
    expect(message.renewedCount).toBe(2);
    expect(message.unrenewedCount).toBe(2);
    expect(message.renewedItems).toEqual(["3900001", "3900002"]);
    expect(message.unrenewedItems).toEqual(["3900003", "3900004"]);
  });

  it("leave optional fields absent when the ILS does not send them", () => {
    const { message } = decodeAnswer(appendErrorDetection(`${FIXED_64}AOHKPL|AA2123|AE|`, 0), "64");
    expect(message.personalName).toBe("");
    expect(message).not.toHaveProperty("feeAmount");
    expect(message).not.toHaveProperty("homePhoneNumber");
    expect(message).not.toHaveProperty("validPatronPassword");
    expect(message.chargedItems).toEqual([]);
    const renew = decodeAnswer(
      appendErrorDetection("300NUN20250314    101500AOHKPL|AA2123|AB39|AJ|", 2),
      "30",
    );
    expect(renew.message).not.toHaveProperty("dueDate");
    expect(renew.message.renewalOk).toBe(false);
  });

  it("keep fields the table does not know, in order, and write them back", () => {
    const line = appendErrorDetection(`${FIXED_64}AOHKPL|AA2123|AEChan|PA20261231|U1|XI863715|`, 3);
    const { message } = decodeAnswer(line, "64");
    expect(message.unknownFields).toEqual([
      { code: "PA", value: "20261231" },
      { code: "U1", value: "" },
      { code: "XI", value: "863715" },
    ]);
    expect(encodeMessage(message, { sequence: 3 })).toBe(line);
  });

  it("accept a last field without its closing | on a line without trailer", () => {
    const line = "6610000000020250314    101500AOHKPL|AFnone";
    expect(decodeAnswer(line, "66", { errorDetection: false }).message.screenMessages).toEqual(["none"]);
  });

  it("do not take a value ending in AY…AZ… for the trailer", () => {
    const line = `6610000000020250314    101500AOHKPL|AFsee AY1AZ0000`;
    expect(decodeAnswer(line, "66", { errorDetection: false }).message.screenMessages).toEqual([
      "see AY1AZ0000",
    ]);
  });
});
