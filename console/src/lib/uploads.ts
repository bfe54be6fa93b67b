// The upload queue: each file goes straight to storage in three steps — ask the API for an upload
// (it answers with a presigned PUT), PUT the bytes with progress, then tell the API it is complete
// (processing starts). A few files at a time, so a drop of 40 photos neither opens 40 connections
// nor waits for each in turn; a file that fails does not stop the others, and says why.
//
// The three steps are passed in, so the queue is tested without a network (uploads.test.ts).

export interface FileLike {
  name: string;
  size: number;
  type: string;
}

export type TaskState = "queued" | "uploading" | "completing" | "processing" | "failed";

export interface UploadTask<F extends FileLike = FileLike> {
  id: number;
  file: F;
  state: TaskState;
  /** 0–100 while uploading; 100 once the bytes are stored. */
  progress: number;
  mediaId?: string;
  error?: string;
}

export interface UploadTarget {
  mediaId: string;
  method: string;
  url: string;
  headers: Record<string, string>;
}

export interface UploadSteps<F extends FileLike> {
  create(file: F): Promise<UploadTarget>;
  put(target: UploadTarget, file: F, onProgress: (loaded: number, total: number) => void): Promise<void>;
  complete(mediaId: string): Promise<void>;
  /** An error's words for the person uploading. */
  describe(err: unknown): string;
}

export class UploadQueue<F extends FileLike = FileLike> {
  readonly tasks: UploadTask<F>[] = [];
  private waiting: UploadTask<F>[] = [];
  private running = 0;
  private next = 1;
  private idle: (() => void)[] = [];

  /**
   * `track` wraps each new task (Vue's reactive(), so progress bars follow it); `changed` is called
   * after every state change (a gallery refresh when a file reaches processing).
   */
  constructor(
    private steps: UploadSteps<F>,
    private concurrency = 2,
    private track: (t: UploadTask<F>) => UploadTask<F> = (t) => t,
    private changed: (t: UploadTask<F>) => void = () => {},
  ) {}

  add(files: Iterable<F>): UploadTask<F>[] {
    const added: UploadTask<F>[] = [];
    for (const file of files) {
      const t = this.track({ id: this.next++, file, state: "queued", progress: 0 });
      this.tasks.push(t);
      this.waiting.push(t);
      added.push(t);
    }
    this.pump();
    return added;
  }

  /** Resolves when nothing is queued or running. */
  settled(): Promise<void> {
    if (this.running === 0 && this.waiting.length === 0) return Promise.resolve();
    return new Promise((resolve) => this.idle.push(resolve));
  }

  /** Puts a failed task back in the queue. */
  retry(t: UploadTask<F>): void {
    if (t.state !== "failed") return;
    Object.assign(t, { state: "queued", progress: 0, error: undefined, mediaId: undefined });
    this.waiting.push(t);
    this.pump();
  }

  /** Forgets a task that is done with (failed, or its file processed). */
  remove(t: UploadTask<F>): void {
    if (t.state !== "failed" && t.state !== "processing") return;
    const i = this.tasks.indexOf(t);
    if (i >= 0) this.tasks.splice(i, 1);
  }

  private pump(): void {
    while (this.running < this.concurrency && this.waiting.length > 0) {
      const t = this.waiting.shift()!;
      this.running++;
      void this.run(t).finally(() => {
        this.running--;
        this.pump();
        if (this.running === 0 && this.waiting.length === 0) this.idle.splice(0).forEach((f) => f());
      });
    }
  }

  private set(t: UploadTask<F>, patch: Partial<UploadTask<F>>): void {
    Object.assign(t, patch);
    this.changed(t);
  }

  private async run(t: UploadTask<F>): Promise<void> {
    try {
      this.set(t, { state: "uploading" });
      const target = await this.steps.create(t.file);
      t.mediaId = target.mediaId;
      await this.steps.put(target, t.file, (loaded, total) => {
        t.progress = total > 0 ? Math.min(100, Math.floor((loaded * 100) / total)) : 0;
      });
      this.set(t, { state: "completing", progress: 100 });
      await this.steps.complete(target.mediaId);
      this.set(t, { state: "processing" });
    } catch (err) {
      this.set(t, { state: "failed", error: this.steps.describe(err) });
    }
  }
}

/** A PUT with upload progress (fetch cannot report it): XMLHttpRequest. */
export function xhrPut(target: UploadTarget, body: Blob, onProgress: (loaded: number, total: number) => void): Promise<void> {
  return new Promise((resolve, reject) => {
    const xhr = new XMLHttpRequest();
    xhr.open(target.method, target.url);
    for (const [k, v] of Object.entries(target.headers)) {
      // The browser sets Content-Length and Host itself and refuses to be told.
      if (!/^(content-length|host)$/i.test(k)) xhr.setRequestHeader(k, v);
    }
    xhr.upload.onprogress = (e) => onProgress(e.loaded, e.total || body.size);
    xhr.onload = () => (xhr.status >= 200 && xhr.status < 300 ? resolve() : reject(new PutError(xhr.status, xhr.responseText)));
    xhr.onerror = () => reject(new PutError(0, "network"));
    xhr.send(body);
  });
}

export class PutError extends Error {
  constructor(
    readonly status: number,
    readonly body: string,
  ) {
    super(`upload refused: ${status}`);
  }
}
