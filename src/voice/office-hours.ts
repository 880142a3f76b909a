/**
 * When library staff take calls (`OFFICE_HOURS`, e.g. "mon-fri 09:00-18:00, sat 09:00-13:00"),
 * read in the library's time zone.
 */
const DAYS = ["sun", "mon", "tue", "wed", "thu", "fri", "sat"] as const;
const PERIOD =
  /^(sun|mon|tue|wed|thu|fri|sat)(?:-(sun|mon|tue|wed|thu|fri|sat))?\s+(\d{2}):(\d{2})-(\d{2}):(\d{2})$/;

/** Per weekday (0 = Sunday), the open periods in minutes from midnight. */
export type OfficeHours = [number, number][][];

export function parseOfficeHours(text: string): OfficeHours | null {
  const week: OfficeHours = DAYS.map(() => []);
  for (const part of text
    .toLowerCase()
    .split(",")
    .map((p) => p.trim())
    .filter(Boolean)) {
    const match = PERIOD.exec(part);
    if (!match) return null;
    const [, from = "", to, h1, m1, h2, m2] = match;
    const start = Number(h1) * 60 + Number(m1);
    const end = Number(h2) * 60 + Number(m2);
    if (start >= end || end > 24 * 60) return null;
    const first = DAYS.indexOf(from as (typeof DAYS)[number]);
    const last = to ? DAYS.indexOf(to as (typeof DAYS)[number]) : first;
    for (let day = first; ; day = (day + 1) % 7) {
      week[day]?.push([start, end]);
      if (day === last) break;
    }
  }
  return week;
}

export function isWithinOfficeHours(hours: OfficeHours, instant: Date, timeZone: string): boolean {
  const parts = new Intl.DateTimeFormat("en-GB", {
    timeZone,
    weekday: "short",
    hour: "2-digit",
    minute: "2-digit",
    hourCycle: "h23",
  }).formatToParts(instant);
  const get = (type: string) => parts.find((p) => p.type === type)?.value ?? "";
  const day = DAYS.indexOf(get("weekday").toLowerCase().slice(0, 3) as (typeof DAYS)[number]);
  const minute = Number(get("hour")) * 60 + Number(get("minute"));
  return (hours[day] ?? []).some(([start, end]) => minute >= start && minute < end);
}

function mustParse(text: string): OfficeHours {
  const hours = parseOfficeHours(text);
  if (!hours) throw new Error(`not office hours: ${text}`);
  return hours;
}

export const DEFAULT_OFFICE_HOURS = mustParse("mon-fri 09:00-18:00");
