/**
 * Where a phase's CPU went: the line's process, the driver itself, and the whole machine (the
 * rest is mostly PostgreSQL, and whatever else runs there). From /proc; zeros elsewhere.
 */
import { readFileSync } from "node:fs";

const TICKS_PER_SECOND = 100;

interface Snapshot {
  at: number;
  lineTicks: number | null;
  driverMicros: number;
  machineBusy: number;
  machineTotal: number;
}

export interface CpuUsage {
  /** CPU seconds per wall second: 1.0 is one core busy all the time. */
  lineCores: number | null;
  driverCores: number;
  machineCores: number | null;
}

function processTicks(pid: number): number | null {
  try {
    // Fields after the command's closing parenthesis: utime and stime are the 12th and 13th.
    const stat = readFileSync(`/proc/${pid}/stat`, "utf8");
    const fields = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
    return Number(fields[11]) + Number(fields[12]);
  } catch {
    return null;
  }
}

function machineTicks(): { busy: number; total: number } {
  try {
    const line = readFileSync("/proc/stat", "utf8").split("\n")[0] ?? "";
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((sum, value) => sum + value, 0);
    // idle and iowait
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return { busy: 0, total: 0 };
  }
}

export function cpuSnapshot(linePid: number | undefined): Snapshot {
  const machine = machineTicks();
  const driver = process.cpuUsage();
  return {
    at: performance.now(),
    lineTicks: linePid ? processTicks(linePid) : null,
    driverMicros: driver.user + driver.system,
    machineBusy: machine.busy,
    machineTotal: machine.total,
  };
}

export function cpuSince(before: Snapshot, after: Snapshot): CpuUsage {
  const seconds = Math.max(0.001, (after.at - before.at) / 1000);
  const round = (n: number) => Math.round(n * 100) / 100;
  return {
    lineCores:
      before.lineTicks !== null && after.lineTicks !== null
        ? round((after.lineTicks - before.lineTicks) / TICKS_PER_SECOND / seconds)
        : null,
    driverCores: round((after.driverMicros - before.driverMicros) / 1e6 / seconds),
    machineCores:
      after.machineTotal > before.machineTotal
        ? round((after.machineBusy - before.machineBusy) / TICKS_PER_SECOND / seconds)
        : null,
  };
}
