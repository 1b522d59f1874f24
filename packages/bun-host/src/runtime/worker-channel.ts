/**
 * Host side of the Worker medium: a `Channel` over `postMessage` and `message` events. Frames
 * travel as JSON text both ways, not as structured clones: a message means the same in a worker
 * as over Bun IPC (JSON serialization), and posting one short string wakes a parked worker
 * sooner than cloning an object graph (the round trip drops by about a fifth).
 */
import type { HostToWorker } from '@spindle/types';
import {
  Batcher,
  type BatchLimits,
  postFrame,
  type TickScheduler,
  type UnwritableReporter,
} from './batch.ts';
import { type Channel, HandlerSet, parseFrame, unbrandEach } from './channel.ts';

/** A `Channel` over a Bun `Worker`; outbound traffic is batched per tick. */
export class WorkerChannel implements Channel<HostToWorker, unknown> {
  readonly #handlers = new HandlerSet<unknown>();
  readonly #listener: (event: MessageEvent) => void;
  readonly #batcher: Batcher<HostToWorker>;
  #closed = false;

  /**
   * @param batching bounds and scheduler of outbound batches, and who hears of a message JSON
   *   cannot write (dropped alone). @default DEFAULT_BATCH_LIMITS, setImmediate, ignored
   */
  constructor(
    private readonly worker: Pick<
      Worker,
      'postMessage' | 'addEventListener' | 'removeEventListener'
    >,
    onRefused: (reason: string) => void,
    private readonly onError: (error: unknown) => void,
    batching: {
      limits?: Partial<BatchLimits>;
      schedule?: TickScheduler;
      onUnwritable?: UnwritableReporter<HostToWorker>;
    } = {},
  ) {
    const deliver = (message: unknown) => this.#handlers.emit(message, this.onError);
    this.#listener = (event) => {
      if (this.#closed) return;
      const parsed = parseFrame(event.data);
      if (parsed.ok) unbrandEach(parsed.value, deliver, onRefused);
      else onRefused(parsed.reason);
    };
    worker.addEventListener('message', this.#listener);
    const report = batching.onUnwritable;
    const unwritable = (message: unknown, error: unknown) => {
      const { __spindle: _brand, ...unbranded } = message as HostToWorker & { __spindle?: 1 };
      report?.(unbranded as HostToWorker, String(error));
    };
    const write = (frame: unknown) => this.worker.postMessage(JSON.stringify(frame));
    // Only a frame JSON cannot write (split by `postFrame`) or a terminated worker throws; the
    // worker's `close` event reports the latter.
    this.#batcher = new Batcher<HostToWorker>({
      ...batching,
      post: (frame) => postFrame(frame, write, unwritable),
    });
  }

  /** Bytes of JSON handed to `send` so far (the runtime's inbound budget counts them). */
  get sentBytes(): number {
    return this.#batcher.sentBytes;
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
