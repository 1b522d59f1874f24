/** Host side of the Bun IPC medium: a `Channel` over a subprocess's `send` and `ipc` callback. */
import type { HostToWorker } from '@spindle/types';
import {
  Batcher,
  type BatchLimits,
  postFrame,
  type TickScheduler,
  type UnwritableReporter,
} from './batch.ts';
import { type Channel, HandlerSet, unbrandEach } from './channel.ts';

/** A `Channel` fed by the `ipc` callback of `Bun.spawn`; outbound traffic is batched per tick. */
export class IpcChannel implements Channel<HostToWorker, unknown> {
  readonly #handlers = new HandlerSet<unknown>();
  readonly #batcher: Batcher<HostToWorker>;
  readonly #deliver = (message: unknown) => this.#handlers.emit(message, this.onError);
  readonly #reportUnwritable: (message: unknown, error: unknown) => void;
  #send: ((message: unknown) => void) | null = null;
  #closed = false;
  #backlog: unknown[] = [];

  /**
   * @param onRefused called with the reason for every inbound message that is not branded.
   * @param onError called when a handler throws.
   * @param batching bounds and scheduler of outbound batches, and who hears of a message JSON
   *   cannot write (dropped alone). @default DEFAULT_BATCH_LIMITS, setImmediate, ignored
   */
  constructor(
    private readonly onRefused: (reason: string) => void,
    private readonly onError: (error: unknown) => void,
    batching: {
      limits?: Partial<BatchLimits>;
      schedule?: TickScheduler;
      onUnwritable?: UnwritableReporter<HostToWorker>;
    } = {},
  ) {
    const report = batching.onUnwritable;
    this.#batcher = new Batcher<HostToWorker>({ ...batching, post: (frame) => this.#post(frame) });
    this.#reportUnwritable = (message, error) => {
      const { __spindle: _brand, ...unbranded } = message as HostToWorker & { __spindle?: 1 };
      report?.(unbranded as HostToWorker, String(error));
    };
  }

  /** Bytes of JSON handed to `send` so far (the runtime's inbound budget counts them). */
  get sentBytes(): number {
    return this.#batcher.sentBytes;
  }

  /** Connects the outbound side once the subprocess exists; flushes what was sent before. */
  connect(send: (message: unknown) => void): void {
    this.#send = send;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const message of backlog) this.#post(message);
  }

  /** Feeds one inbound frame (a message or a batch) from the `ipc` callback. */
  receive(raw: unknown): void {
    if (this.#closed) return;
    unbrandEach(raw, this.#deliver, this.onRefused);
  }

  send(message: HostToWorker): void {
    if (this.#closed) return;
    this.#batcher.send(message);
  }

  onMessage(handler: (message: unknown) => void): () => void {
    return this.#handlers.add(handler);
  }

  /** Posts what is still batched (to a live child, or into the void), then stops. */
  close(): void {
    if (this.#closed) return;
    this.#batcher.close();
    this.#closed = true;
    this.#handlers.clear();
    this.#backlog = [];
  }

  #post(frame: unknown): void {
    const send = this.#send;
    if (!send) {
      this.#backlog.push(frame);
      return;
    }
    // A child that is gone makes `send` throw: its exit, not this send, reports the outcome.
    postFrame(frame, send, this.#reportUnwritable);
  }
}
