export const yuan = (fen: number | undefined): string => (fen === undefined ? "" : `¥${(fen / 100).toFixed(2)}`);

const beijing = new Intl.DateTimeFormat("en-CA", {
  timeZone: "Asia/Shanghai", year: "numeric", month: "2-digit", day: "2-digit", hour: "2-digit", minute: "2-digit", second: "2-digit", hourCycle: "h23",
});

/** A moment as staff read it, in Beijing time: 2026-12-08 09:30:00. */
export const when = (iso: string | undefined): string => {
  if (!iso) return "";
  const d = new Date(iso);
  if (Number.isNaN(d.getTime())) return iso;
  const p = Object.fromEntries(beijing.formatToParts(d).map((x) => [x.type, x.value]));
  return `${p.year}-${p.month}-${p.day} ${p.hour}:${p.minute}:${p.second}`;
};

/** A browser's User-Agent as a person names the device: "Chrome · Windows". */
export function device(ua: string | undefined): string {
  if (!ua) return "";
  const browser = /Edg\//.test(ua) ? "Edge" : /MicroMessenger/.test(ua) ? "WeChat" : /(Headless)?Chrome\//.test(ua) ? "Chrome"
    : /Firefox\//.test(ua) ? "Firefox" : /Safari\//.test(ua) ? "Safari" : /curl\//.test(ua) ? "curl" : "";
  const os = /Windows/.test(ua) ? "Windows" : /iPhone|iPad/.test(ua) ? "iOS" : /Android/.test(ua) ? "Android"
    : /Mac OS X/.test(ua) ? "macOS" : /Linux/.test(ua) ? "Linux" : "";
  return [browser, os].filter(Boolean).join(" · ") || ua.split(/[ /]/)[0]!;
}
