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
  // Hours with no period at all ("," alone) would be spoken as nothing: not office hours.
  return week.some((periods) => periods.length > 0) ? week : null;
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

const EN_DAY_NAMES = ["Sunday", "Monday", "Tuesday", "Wednesday", "Thursday", "Friday", "Saturday"] as const;
const ZH_DAY_NAMES = ["星期日", "星期一", "星期二", "星期三", "星期四", "星期五", "星期六"] as const;

/**
 * The office hours in words, in the call's language (voice-line.md: spoken from OFFICE_HOURS,
 * never written into a catalogue). Days with the same periods are read together, Monday first:
 * "Monday to Friday, 9 a.m. to 6 p.m.; Saturday, 9 a.m. to 1 p.m." / "星期一至五，上午9時至下午6時".
 */
export function speakOfficeHours(hours: OfficeHours, language: "yue" | "cmn" | "en"): string {
  // Monday first, as people say a week.
  const week = [1, 2, 3, 4, 5, 6, 0];
  const groups: { first: number; last: number; periods: string }[] = [];
  for (const day of week) {
    const periods = (hours[day] ?? [])
      .map(([start, end]) => speakPeriod(start, end, language))
      .join(language === "en" ? ", " : "、");
    if (!periods) continue;
    const last = groups.at(-1);
    if (last && last.periods === periods && week.indexOf(last.last) + 1 === week.indexOf(day))
      last.last = day;
    else groups.push({ first: day, last: day, periods });
  }
  if (language === "en") {
    return groups
      .map(({ first, last, periods }) => {
        const next = week.indexOf(first) + 1 === week.indexOf(last);
        const days =
          first === last
            ? EN_DAY_NAMES[first]
            : `${EN_DAY_NAMES[first]} ${next ? "and" : "to"} ${EN_DAY_NAMES[last]}`;
        return `${days}, ${periods}`;
      })
      .join("; ");
  }
  return groups
    .map(({ first, last, periods }) => {
      // 星期一至五: the second day's 星期 is left out, as the day names are said.
      const days =
        first === last ? ZH_DAY_NAMES[first] : `${ZH_DAY_NAMES[first]}至${ZH_DAY_NAMES[last]?.slice(2)}`;
      return `${days}${periods}`;
    })
    .join("；");
}

function speakPeriod(start: number, end: number, language: "yue" | "cmn" | "en"): string {
  const joiner = language === "en" ? " to " : "至";
  return `${speakTime(start, language)}${joiner}${speakTime(end, language)}`;
}

/** A time of day as it is said: "9 a.m.", "12:30 p.m.", "noon", "midnight"; 上午9時 / 下午1点30分. */
function speakTime(minutes: number, language: "yue" | "cmn" | "en"): string {
  const hour = Math.floor(minutes / 60) % 24;
  const minute = minutes % 60;
  const twelve = hour % 12 === 0 ? 12 : hour % 12;
  if (language === "en") {
    if (minute === 0 && hour === 12) return "noon";
    if (minute === 0 && hour === 0) return "midnight";
    const clock = minute === 0 ? `${twelve}` : `${twelve}:${String(minute).padStart(2, "0")}`;
    return `${clock} ${hour < 12 ? "a.m." : "p.m."}`;
  }
  const part = hour === 0 ? "午夜" : hour < 12 ? "上午" : hour === 12 ? "中午" : "下午";
  const o = language === "yue" ? "時" : "点";
  return `${part}${twelve}${o}${minute === 0 ? "" : `${minute}分`}`;
}
