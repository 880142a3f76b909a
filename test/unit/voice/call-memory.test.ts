import { describe, expect, it } from "vitest";
import { CallMemory } from "../../../src/voice/call-memory.js";
import { type CallState, initialCallState } from "../../../src/voice/call-state.js";

const at = (step: string): CallState => ({ ...initialCallState("language"), step });

describe("CallMemory", () => {
  it("recalls a call's state only for the webhook that comes next", () => {
    const memory = new CallMemory();
    memory.remember("CA1", 4, at("menu"));
    expect(memory.recall("CA1", 4)?.step).toBe("menu");
    // A repeat of the webhook already answered, or one further on: the call is read instead.
    expect(memory.recall("CA1", 3)).toBeNull();
    expect(memory.recall("CA1", 5)).toBeNull();
    expect(memory.recall("CA2", 4)).toBeNull();
  });

  it("keeps only the latest answer of a call, and forgets a call", () => {
    const memory = new CallMemory();
    memory.remember("CA1", 4, at("menu"));
    memory.remember("CA1", 5, at("loans"));
    expect(memory.recall("CA1", 4)).toBeNull();
    expect(memory.recall("CA1", 5)?.step).toBe("loans");
    memory.forget("CA1");
    expect(memory.recall("CA1", 5)).toBeNull();
    expect(memory.size).toBe(0);
  });

  it("past its capacity forgets the call heard from longest ago", () => {
    const memory = new CallMemory(2);
    memory.remember("CA1", 1, at("menu"));
    memory.remember("CA2", 1, at("menu"));
    // CA1 answered again: now CA2 is the one heard from longest ago.
    memory.remember("CA1", 2, at("loans"));
    memory.remember("CA3", 1, at("menu"));
    expect(memory.size).toBe(2);
    expect(memory.recall("CA2", 1)).toBeNull();
    expect(memory.recall("CA1", 2)?.step).toBe("loans");
    expect(memory.recall("CA3", 1)?.step).toBe("menu");
  });
});
