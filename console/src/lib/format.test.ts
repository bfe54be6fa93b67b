import { describe, expect, it } from "vitest";
import { device, when } from "./format";

describe("when", () => {
  it("writes Beijing time as staff read it", () => {
    expect(when("2026-12-08T01:30:00Z")).toBe("2026-12-08 09:30:00");
    expect(when("2026-12-07T16:00:05Z")).toBe("2026-12-08 00:00:05");
  });
});

describe("device", () => {
  it.each([
    ["Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) HeadlessChrome/131.0.0.0 Safari/537.36", "Chrome · Linux"],
    ["Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/131.0 Safari/537.36 Edg/131.0", "Edge · Windows"],
    ["Mozilla/5.0 (iPhone; CPU iPhone OS 17_0 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Mobile/15E148 MicroMessenger/8.0", "WeChat · iOS"],
    ["curl/8.5.0", "curl"],
  ])("%s", (ua, want) => expect(device(ua)).toBe(want));
});
