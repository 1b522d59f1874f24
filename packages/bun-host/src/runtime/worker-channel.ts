/** Host side of the Worker medium: a `Channel` over `postMessage` and `message` events. */
import type { HostToWorker } from '@spindle/types';
import { brand, type Channel, HandlerSet, unbrand } from './channel.ts';

/** A `Channel` over a Bun `Worker`. */
export class WorkerChannel implements Channel<HostToWorker, unknown> {
  readonly #handlers = new HandlerSet<unknown>();
  readonly #listener: (event: MessageEvent) => void;
  #closed = false;

  constructor(
    private readonly worker: Worker,
    onRefused: (reason: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {
    this.#listener = (event) => {
      if (this.#closed) return;
      const result = unbrand(event.data);
      if (!result.ok) onRefused(result.reason);
      else this.#handlers.emit(result.value, this.onError);
    };
    worker.addEventListener('message', this.#listener);
  }

  send(message: HostToWorker): void {
    if (this.#closed) return;
    try {
      this.worker.postMessage(brand(message));
    } catch {
      // A terminated worker: its `close` event reports the outcome.
    }
  }

  onMessage(handler: (message: unknown) => void): () => void {
    return this.#handlers.add(handler);
  }

  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    this.#handlers.clear();
    this.worker.removeEventListener('message', this.#listener);
  }
}
