import { describe, expect, it } from "vitest";
import { parseKeys, resolveGather } from "../../../src/simulator/gather-input.js";

describe("parseKeys", () => {
  it.each([
    ["3", "3"],
    ["2100000001#", "2100000001#"],
    ["*", "*"],
    ["", ""],
    ["(timeout)", ""],
    [" 1 2 3 # ", "123#"],
  ])("%j keys %j", (entry, keys) => {
    expect(parseKeys(entry)).toBe(keys);
  });

  it.each(["A123", "1,2", "timeout", "+852"])("refuses %j", (entry) => {
    expect(() => parseKeys(entry)).toThrow(/not something a keypad sends/);
  });
});

describe("resolveGather", () => {
  const hash = { finishOnKey: "#" };

  it.each([
    [
      "2100000001#",
      hash,
      { digits: "2100000001", pressed: "2100000001#", ignored: "", endedBy: "finish-key" },
    ],
    ["12#34", hash, { digits: "12", pressed: "12#", ignored: "34", endedBy: "finish-key" }],
    ["#", hash, { digits: "", pressed: "#", ignored: "", endedBy: "finish-key" }],
    ["", hash, { digits: "", pressed: "", ignored: "", endedBy: "timeout" }],
    ["42", hash, { digits: "42", pressed: "42", ignored: "", endedBy: "timeout" }],
    [
      "3",
      { finishOnKey: "#", numDigits: 1 },
      { digits: "3", pressed: "3", ignored: "", endedBy: "num-digits" },
    ],
    [
      "12345",
      { finishOnKey: "#", numDigits: 4 },
      { digits: "1234", pressed: "1234", ignored: "5", endedBy: "num-digits" },
    ],
    [
      "1#",
      { finishOnKey: "#", numDigits: 4 },
      { digits: "1", pressed: "1#", ignored: "", endedBy: "finish-key" },
    ],
    [
      "*",
      { finishOnKey: "#", numDigits: 1 },
      { digits: "*", pressed: "*", ignored: "", endedBy: "num-digits" },
    ],
    [
      "135790*",
      { finishOnKey: "*" },
      { digits: "135790", pressed: "135790*", ignored: "", endedBy: "finish-key" },
    ],
    ["12#", { finishOnKey: "" }, { digits: "12#", pressed: "12#", ignored: "", endedBy: "timeout" }],
  ] as const)("%j with %j", (keys, gather, expected) => {
    expect(resolveGather(keys, gather)).toEqual(expected);
  });
});
