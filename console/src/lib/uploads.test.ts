import { describe, expect, it } from "vitest";
import { UploadQueue, type FileLike, type UploadSteps, type UploadTarget } from "./uploads";

const file = (name: string, size = 1000): FileLike => ({ name, size, type: "image/jpeg" });

// Steps that record what happened and let the test decide when each PUT finishes.
function steps(opts: { failCreate?: string; failPut?: string } = {}) {
  let running = 0;
  let peak = 0;
  const log: string[] = [];
  const s: UploadSteps<FileLike> = {
    async create(f) {
      if (f.name === opts.failCreate) throw new Error("media.too_large");
      log.push(`create ${f.name}`);
      return { mediaId: `m-${f.name}`, method: "PUT", url: `/blob/${f.name}`, headers: {} };
    },
    async put(t: UploadTarget, f, onProgress) {
      running++;
      peak = Math.max(peak, running);
      for (const part of [0.25, 0.5, 1]) {
        await new Promise((r) => setTimeout(r, 2));
        onProgress(f.size * part, f.size);
      }
      running--;
      if (f.name === opts.failPut) throw new Error("network");
      log.push(`put ${t.mediaId}`);
    },
    async complete(id) {
      log.push(`complete ${id}`);
    },
    describe: (err) => (err instanceof Error ? err.message : String(err)),
  };
  return { s, log, peak: () => peak };
}

describe("UploadQueue", () => {
  it.each([1, 2, 3])("never runs more than %i uploads at once, and finishes them all", async (n) => {
    const st = steps();
    const q = new UploadQueue(st.s, n);
    q.add(["a", "b", "c", "d", "e"].map((x) => file(x)));
    await q.settled();
    expect(st.peak()).toBe(n);
    expect(q.tasks.map((t) => [t.state, t.progress])).toEqual(Array(5).fill(["processing", 100]));
  });

  it("stores, then completes, each file in that order", async () => {
    const st = steps();
    const q = new UploadQueue(st.s, 1);
    q.add([file("a")]);
    await q.settled();
    expect(st.log).toEqual(["create a", "put m-a", "complete m-a"]);
  });

  it("reports progress while the bytes go up", async () => {
    const st = steps();
    const seen: number[] = [];
    const q = new UploadQueue(st.s, 1, (t) => t, (t) => seen.push(t.progress));
    const [t] = q.add([file("a", 4000)]);
    const during: number[] = [];
    const timer = setInterval(() => during.push(t!.progress), 1);
    await q.settled();
    clearInterval(timer);
    expect(during.some((p) => p > 0 && p < 100)).toBe(true);
    expect(t!.progress).toBe(100);
  });

  it("a failure stops only its own file, says why, and can be retried", async () => {
    const st = steps({ failCreate: "big", failPut: "flaky" });
    const q = new UploadQueue(st.s, 2);
    const tasks = q.add([file("big"), file("flaky"), file("ok")]);
    await q.settled();
    expect(tasks.map((t) => [t.file.name, t.state, t.error])).toEqual([
      ["big", "failed", "media.too_large"],
      ["flaky", "failed", "network"],
      ["ok", "processing", undefined],
    ]);
    expect(st.log).not.toContain("complete m-flaky");
    q.retry(tasks[0]!);
    await q.settled();
    expect(tasks[0]!.state).toBe("failed"); // still too large: the same answer, not a hang
  });

  it("settles at once when empty", async () => {
    await new UploadQueue(steps().s).settled();
  });
});

describe("UploadQueue.remove", () => {
  it("forgets failed and processed tasks, never one still running", async () => {
    const st = steps({ failPut: "bad.jpg" });
    const q = new UploadQueue(st.s, 1);
    const [good, bad, later] = q.add([file("good.jpg"), file("bad.jpg"), file("later.jpg")]);
    q.remove(later!); // queued: kept
    expect(q.tasks).toHaveLength(3);
    await q.settled();
    expect([good!.state, bad!.state, later!.state]).toEqual(["processing", "failed", "processing"]);
    q.remove(bad!);
    q.remove(good!);
    expect(q.tasks.map((t) => t.file.name)).toEqual(["later.jpg"]);
  });
});
