/**
 * A fixed number of lanes for bundle mounting. A lane runs one job at a time and yields to the
 * browser before taking the next, so a burst of mounts never becomes one long task.
 */
import { SpindleError } from '@spindle/types';
import type { YieldToBrowser } from '../timers.ts';

/**
 * Lanes of an extension host.
 * @default 4
 */
export const DEFAULT_LANES = 4;

interface Job {
  run: () => Promise<void>;
  cancel: (error: Error) => void;
}

/** Runs jobs in at most `count` lanes. */
export class Lanes {
  private readonly waiting: Job[] = [];
  private busy = 0;
  private closed = false;

  constructor(
    private readonly count: number,
    private readonly yieldToBrowser: YieldToBrowser,
  ) {
    if (!Number.isInteger(count) || count < 1) {
      throw new RangeError(`[spindle] lanes must be a positive integer, got ${count}`);
    }
  }

  /** Lanes running a job (or yielding after one). */
  get active(): number {
    return this.busy;
  }

  /** Jobs not yet started. */
  get pending(): number {
    return this.waiting.length;
  }

  /** Runs `job` in a free lane; settles like the job. */
  run<T>(job: () => Promise<T>): Promise<T> {
    return new Promise<T>((resolve, reject) => {
      this.waiting.push({
        run: () => job().then(resolve, reject),
        cancel: reject,
      });
      this.pump();
    });
  }

  /** Stops taking jobs; waiting ones reject with `HOST_CLOSING` and never start. */
  close(): void {
    this.closed = true;
    for (const job of this.waiting.splice(0)) {
      job.cancel(new SpindleError('HOST_CLOSING', 'the extension host is closed'));
    }
  }

  private pump(): void {
    while (!this.closed && this.busy < this.count && this.waiting.length > 0) {
      const job = this.waiting.shift()!;
      this.busy += 1;
      void this.drive(job);
    }
  }

  private async drive(job: Job): Promise<void> {
    try {
      await job.run();
      if (!this.closed) await this.yieldToBrowser();
    } finally {
      this.busy -= 1;
      this.pump();
    }
  }
}
