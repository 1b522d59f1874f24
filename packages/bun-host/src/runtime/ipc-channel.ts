/** Host side of the Bun IPC medium: a `Channel` over a subprocess's `send` and `ipc` callback. */
import type { HostToWorker } from '@spindle/types';
import { brand, type Channel, HandlerSet, unbrand } from './channel.ts';

/** A `Channel` fed by the `ipc` callback of `Bun.spawn`. */
export class IpcChannel implements Channel<HostToWorker, unknown> {
  readonly #handlers = new HandlerSet<unknown>();
  #send: ((message: unknown) => void) | null = null;
  #closed = false;
  #backlog: unknown[] = [];

  /**
   * @param onRefused called with the reason for every inbound message that is not branded.
   * @param onError called when a handler throws.
   */
  constructor(
    private readonly onRefused: (reason: string) => void,
    private readonly onError: (error: unknown) => void,
  ) {}

  /** Connects the outbound side once the subprocess exists; flushes what was sent before. */
  connect(send: (message: unknown) => void): void {
    this.#send = send;
    const backlog = this.#backlog;
    this.#backlog = [];
    for (const message of backlog) this.#post(message);
  }

  /** Feeds one inbound message from the `ipc` callback. */
  receive(raw: unknown): void {
    if (this.#closed) return;
    const result = unbrand(raw);
    if (!result.ok) {
      this.onRefused(result.reason);
      return;
    }
    this.#handlers.emit(result.value, this.onError);
  }

  send(message: HostToWorker): void {
    if (this.#closed) return;
    const branded = brand(message);
    if (this.#send) this.#post(branded);
    else this.#backlog.push(branded);
  }

  onMessage(handler: (message: unknown) => void): () => void {
    return this.#handlers.add(handler);
  }

  close(): void {
    this.#closed = true;
    this.#handlers.clear();
    this.#backlog = [];
  }

  #post(message: unknown): void {
    try {
      this.#send?.(message);
    } catch {
      // The child is gone; its exit, not this send, reports the outcome (STYLE item 4).
    }
  }
}
