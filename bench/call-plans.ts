/**
 * What each simulated caller keys, and at which step of voice-flows/flow.json each key lands, so
 * every webhook's latency is filed under the step it was answered for. A plan is a fixed opening
 * and, for the full-speed scenarios, a cycle repeated until the phase ends.
 */
import { cardOf, loansOf, pinOf } from "./library-shape.js";

export interface Key {
  keys: string;
  /** "step:key", or "step" at a digits step (card, pin). */
  label: string;
  /** The PIN webhook: the one that hashes. */
  login?: boolean;
}

export interface CallPlan {
  opening: Key[];
  /** Repeated after the opening until the phase ends; then the caller hangs up. */
  cycle?: Key[];
  /** How a call that went as planned ends: the line hangs up (goodbye) or the caller does. */
  endedBy: "hangup" | "caller";
}

export const PLAN_NAMES = ["visit", "tour", "menuLoop", "loginLoop", "floorLoop"] as const;
export type PlanName = (typeof PLAN_NAMES)[number];

const key = (keys: string, label: string): Key => ({ keys, label });

function login(reader: number): Key[] {
  return [
    { keys: `${cardOf(reader)}#`, label: "card" },
    { keys: `${pinOf(reader)}#`, label: "pin", login: true },
  ];
}

/** A reader with at least `minLoans` loans, drawn from 1..readers. */
export function pickReader(readers: number, minLoans: number, random: () => number): number {
  for (;;) {
    const reader = 1 + Math.floor(random() * readers);
    if (loansOf(reader) >= minLoans) return reader;
  }
}

/** One thing a caller came to do, in shares a renewal line might see. */
function visitErrand(random: () => number): Key[] {
  const r = random();
  if (r < 0.35) return [key("0", "menu:0"), key("*", "afterRenewAll:*")];
  if (r < 0.5) return [key("1", "menu:1"), key("1", "itemOffer:1"), key("*", "afterRenewOne:*")];
  if (r < 0.8) return [key("2", "menu:2"), key("*", "menu:*")];
  if (r < 0.9) return [key("3", "menu:3"), key("*", "menu:*")];
  return [key("9", "menu:9"), key("*", "menu:*")];
}

export function makePlan(name: PlanName, readers: number, random: () => number): CallPlan {
  const english = key("3", "language:3");
  switch (name) {
    case "visit":
      return {
        opening: [english, ...login(pickReader(readers, 1, random)), ...visitErrand(random)],
        endedBy: "hangup",
      };
    case "tour":
      // Every step a caller can reach without staff or SMS, once each.
      return {
        opening: [
          english,
          ...login(pickReader(readers, 2, random)),
          key("2", "menu:2"),
          key("3", "menu:3"),
          key("9", "menu:9"),
          key("1", "menu:1"),
          key("3", "itemOffer:3"),
          key("1", "itemOffer:1"),
          key("2", "afterRenewOne:2"),
          key("9", "afterRenewOne:9"),
          key("0", "menu:0"),
          key("1", "afterRenewAll:1"),
          key("2", "afterRenewAll:2"),
          key("*", "afterRenewAll:*"),
        ],
        endedBy: "hangup",
      };
    case "menuLoop":
      // "9": hear the main menu again, the cheapest step after login.
      return {
        opening: [english, ...login(pickReader(readers, 1, random))],
        cycle: [key("9", "menu:9")],
        endedBy: "caller",
      };
    case "loginLoop": {
      // "8" at the menu: another card, back to the card step in the same call.
      const reader = pickReader(readers, 1, random);
      return { opening: [english], cycle: [...login(reader), key("8", "menu:8")], endedBy: "caller" };
    }
    case "floorLoop":
      return { opening: [], cycle: [key("9", "floor:9")], endedBy: "caller" };
  }
}

/** A small seeded generator (mulberry32), so the same run keys the same readers. */
export function seededRandom(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}
