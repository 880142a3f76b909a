/** A simulated call's transcript as lines for the terminal. */
import type { CallResult } from "./call-simulator.js";
import type { TranscriptEntry } from "./transcript.js";

export function formatEntry(entry: TranscriptEntry): string {
  switch (entry.kind) {
    case "say":
      return `🔊 ${entry.text}  [${timing(entry.seconds, entry.interrupted)}]`;
    case "play":
      return `🎵 ${entry.url}  [${timing(entry.seconds, entry.interrupted)}]`;
    case "pause":
      return `⏸  pause  [${timing(entry.seconds, entry.interrupted)}]`;
    case "gather": {
      const keyed = entry.keys === "" ? "(no input)" : entry.keys;
      const ended = entry.endedBy === "timeout" ? ", then waited for the timeout" : "";
      const skipped = entry.sentToAction ? "" : ", no digits: on to the next verb";
      const ignored = entry.ignored ? `, ${entry.ignored} pressed too late and dropped` : "";
      return `⌨  ${keyed}${ended}${skipped}${ignored}  [${entry.seconds} s]`;
    }
    case "dial":
      return `☎  dial ${entry.numbers.join(", ")}: ${entry.status}  [${entry.seconds} s]`;
    case "hangup":
      return entry.by === "app" ? "📴 the line hung up" : "📴 the caller hung up";
    case "reject":
      return `🚫 the line rejected the call (${entry.reason})`;
    case "error":
      return `⚠️  application error (${entry.reason}): ${entry.message}`;
  }
}

export function formatDuration(seconds: number): string {
  const whole = Math.round(seconds);
  const minutes = Math.floor(whole / 60);
  const clock = minutes > 0 ? `${minutes} min ${whole % 60} s` : `${whole} s`;
  return `${clock} (${seconds} s)`;
}

export function formatSummary(result: CallResult): string {
  const ending = {
    hangup: "the line ended the call",
    caller: "the caller hung up",
    error: "the call ended on an error",
  }[result.endedBy];
  return `${ending}; estimated duration ${formatDuration(result.durationSeconds)}`;
}

function timing(seconds: number, interrupted: boolean): string {
  return interrupted ? "interrupted by keys" : `${seconds} s`;
}
