/**
 * Runs async jobs one after another: the per-extension lock that keeps starts and stops of one
 * extension from overlapping (never two runtimes of one extension).
 */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #pending = 0;

  /** Queues `job`; resolves or rejects with its outcome. A failed job does not block the next. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.#pending += 1;
    const result = this.#tail.then(job);
    this.#tail = result
      .catch(() => undefined)
      .finally(() => {
        this.#pending -= 1;
      });
    return result;
  }

  /** Jobs queued or running. */
  get pending(): number {
    return this.#pending;
  }

  /** Resolves once every job queued so far has settled. */
  idle(): Promise<void> {
    return this.#tail.then(() => undefined);
  }
}
