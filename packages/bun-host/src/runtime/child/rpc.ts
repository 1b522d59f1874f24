/** Requests of the runtime to the host: each has a `requestId` and settles exactly once. */
import {
  deserializeError,
  type SerializedError,
  SpindleError,
  type WorkerToHost,
} from '@spindle/types';

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
  #closedWith: Error | undefined;

  constructor(private readonly post: (message: RequestMessage) => void) {}

  /** Sends a request; resolves with its `result` or rejects with its error. */
  request<T>(message: WithoutRequestId<RequestMessage>): Promise<T> {
    if (this.#closedWith) return Promise.reject(this.#closedWith);
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
    if (error) pending.reject(deserializeError(error));
    else pending.resolve(result);
  }

  /** Rejects every pending request with `reason` (as `cause`); later requests fail at once. */
  close(reason: string): void {
    this.#closedWith = new SpindleError('EXTENSION_UNLOADED', reason);
    for (const pending of this.#pending.values()) pending.reject(this.#closedWith);
    this.#pending.clear();
  }

  /** Requests awaiting a response. */
  get size(): number {
    return this.#pending.size;
  }
}
