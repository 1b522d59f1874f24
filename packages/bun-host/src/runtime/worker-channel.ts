/** Host side of the Worker medium: a `Channel` over `postMessage` and `message` events. */
import type { HostToWorker } from '@spindle/types';
import { Batcher, type BatchLimits, type TickScheduler } from './batch.ts';
import { type Channel, HandlerSet, unbrandEach } from './channel.ts';

/** A `Channel` over a Bun `Worker`; outbound traffic is batched per tick. */
export class WorkerChannel implements Channel<HostToWorker, unknown> {
  readonly #handlers = new HandlerSet<unknown>();
  readonly #listener: (event: MessageEvent) => void;
  readonly #batcher: Batcher<HostToWorker>;
  #closed = false;

  /** @param batching bounds and scheduler of outbound batches. @default DEFAULT_BATCH_LIMITS, setImmediate */
  constructor(
    private readonly worker: Pick<
      Worker,
      'postMessage' | 'addEventListener' | 'removeEventListener'
    >,
    onRefused: (reason: string) => void,
    private readonly onError: (error: unknown) => void,
    batching: { limits?: Partial<BatchLimits>; schedule?: TickScheduler } = {},
  ) {
    const deliver = (message: unknown) => this.#handlers.emit(message, this.onError);
    this.#listener = (event) => {
      if (this.#closed) return;
      unbrandEach(event.data, deliver, onRefused);
    };
    worker.addEventListener('message', this.#listener);
    this.#batcher = new Batcher({
      ...batching,
      post: (frame) => {
        try {
          this.worker.postMessage(frame);
        } catch {
          // A terminated worker: its `close` event reports the outcome.
        }
      },
    });
  }

  send(message: HostToWorker): void {
    if (this.#closed) return;
    this.#batcher.send(message);
  }

  onMessage(handler: (message: unknown) => void): () => void {
    return this.#handlers.add(handler);
  }

  /** Posts what is still batched, then stops delivery both ways. Idempotent. */
  close(): void {
    if (this.#closed) return;
    this.#batcher.close();
    this.#closed = true;
    this.#handlers.clear();
    this.worker.removeEventListener('message', this.#listener);
  }
}
