export const yuan = (fen: number | undefined): string => (fen === undefined ? "" : `¥${(fen / 100).toFixed(2)}`);

export const when = (iso: string | undefined): string => {
  if (!iso) return "";
  const d = new Date(iso);
  return Number.isNaN(d.getTime()) ? iso : d.toLocaleString("zh-CN", { hour12: false, timeZone: "Asia/Shanghai" });
};
