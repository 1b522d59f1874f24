/**
 * How many storage operations of one extension run at once: `concurrency` at a time, the rest
 * waiting in order, at most `maxQueued` of them; one more is refused at once with `QUEUE_FULL`.
 * Every file descriptor storage opens is held inside an operation, so one extension's burst of
 * calls can never take the host's descriptors from the others.
 */
import { SpindleError } from '@spindle/types';

/** A counting gate. */
export class OperationGate {
  #running = 0;
  readonly #waiting: Array<() => void> = [];

  constructor(
    private readonly concurrency: number,
    private readonly maxQueued: number,
  ) {}

  /** Runs `job` when a place is free; rejects `QUEUE_FULL` at once when the queue is full. */
  async run<T>(job: () => Promise<T>): Promise<T> {
    if (this.#running >= this.concurrency) {
      if (this.#waiting.length >= this.maxQueued) {
        throw new SpindleError(
          'QUEUE_FULL',
          `storage: ${this.maxQueued} operations of this extension are already waiting`,
          { details: { running: this.#running, waiting: this.#waiting.length } },
        );
      }
      await new Promise<void>((resolve) => this.#waiting.push(resolve));
    } else {
      this.#running += 1;
    }
    try {
      return await job();
    } finally {
      const next = this.#waiting.shift();
      // The place passes straight to the next in line; only the last one frees it.
      if (next) next();
      else this.#running -= 1;
    }
  }

  /** Operations running now. */
  get running(): number {
    return this.#running;
  }

  /** Operations waiting for a place. */
  get waiting(): number {
    return this.#waiting.length;
  }
}
