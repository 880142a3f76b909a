/**
 * The login limits as a rule, apart from the counting: a name is held back at its own 5 failures,
 * an address only at 50 whatever the names (issue 8: a shared desk PC).
 */
import { describe, expect, it } from "vitest";
import { LOGIN_FAILURE_LIMITS, throttleOf } from "../../../src/ops/login-throttle.js";

describe("throttleOf", () => {
  it("holds a name back at its 5th failure, and not before", () => {
    expect(throttleOf({ name: 4, address: 4 })).toBeNull();
    expect(throttleOf({ name: 5, address: 5 })).toBe("name");
  });

  it("lets other names through an address until 50 failures, then none", () => {
    expect(LOGIN_FAILURE_LIMITS.address).toBe(50);
    // Five people at one desk, each of whom missed four times: nobody is held back.
    expect(throttleOf({ name: 0, address: 20 })).toBeNull();
    expect(throttleOf({ name: 0, address: 49 })).toBeNull();
    expect(throttleOf({ name: 0, address: 50 })).toBe("address");
  });
});
