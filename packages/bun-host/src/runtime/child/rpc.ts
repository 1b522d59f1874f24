/** Requests of the runtime to the host: each has a `requestId` and settles exactly once. */
import type { SerializedError, WorkerToHost } from '@spindle/types';
import { deserializeError, SpindleError } from '@spindle/types/errors';

/** A `WorkerToHost` variant that carries a `requestId`. */
export type RequestMessage = Extract<WorkerToHost, { requestId: string }>;

/** Distributes `Omit` over a union. */
export type WithoutRequestId<T> = T extends unknown ? Omit<T, 'requestId'> : never;

interface Pending {
  resolve(value: unknown): void;
  reject(error: unknown): void;
}

/** Pending requests of one runtime. */
export class RequestTable {
  readonly #pending = new Map<string, Pending>();
  #next = 0;
  /** The error of every request after `close`; built once `@spindle/types` is loaded. */
  #closedWith: Promise<Error> | undefined;

  constructor(private readonly post: (message: RequestMessage) => void) {}

  /** Sends a request; resolves with its `result` or rejects with its error. */
  request<T>(message: WithoutRequestId<RequestMessage>): Promise<T> {
    if (this.#closedWith) return this.#closedWith.then((error) => Promise.reject(error));
    this.#next += 1;
    const requestId = `r${this.#next}`;
    return new Promise<T>((resolve, reject) => {
      this.#pending.set(requestId, { resolve: resolve as (value: unknown) => void, reject });
      this.post({ ...message, requestId } as RequestMessage);
    });
  }

  /** Settles the request named by a `response`; unknown ids are ignored. */
  settle(requestId: string, result: unknown, error: SerializedError | undefined): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    this.#pending.delete(requestId);
    if (error) {
      pending.reject(deserializeError(error));
    } else pending.resolve(result);
  }

  /** Rejects the pending request `requestId` with `error` (it never reached the host). */
  fail(requestId: string, error: Error): void {
    const pending = this.#pending.get(requestId);
    if (!pending) return;
    this.#pending.delete(requestId);
    pending.reject(error);
  }

  /**
   * Rejects every pending request with `reason` (as `cause`); later requests fail at once.
   * Resolves once the pending requests are rejected (the error class may still be loading).
   */
  close(reason: string): Promise<void> {
    if (this.#closedWith) return this.#closedWith.then(() => undefined);
    const closed = Promise.resolve(new SpindleError('EXTENSION_UNLOADED', reason));
    this.#closedWith = closed;
    const pending = [...this.#pending.values()];
    this.#pending.clear();
    return closed.then((error) => {
      for (const request of pending) request.reject(error);
    });
  }

  /** Requests awaiting a response. */
  get size(): number {
    return this.#pending.size;
  }
}
