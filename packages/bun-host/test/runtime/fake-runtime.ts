/** An in-memory `RuntimeInstance` for unit tests of the lifecycle controller. */
import type { HostToWorker } from '@spindle/types';
import type { Channel } from '../../src/runtime/channel.ts';
import type { RuntimeExitStatus, RuntimeInstance, RuntimeSignal } from '../../src/runtime/types.ts';

/** A runtime whose messages, exit and reaction to signals the test drives. */
export class FakeRuntime implements RuntimeInstance {
  readonly mode = 'process' as const;
  readonly sent: HostToWorker[] = [];
  readonly signals: RuntimeSignal[] = [];
  readonly exited: Promise<RuntimeExitStatus>;
  closed = false;
  /** Set by a test: the launcher handed `init` over at start (the environment of a child). */
  initDelivered = false;
  /** The `init` the launcher was given. */
  launchedWith: HostToWorker | undefined;
  /** What the fake does on `shutdown`: exit at once, or ignore it. */
  onShutdown: 'exit' | 'ignore' = 'exit';
  /** Called when the host sends `init` (reply with `ready`, `init_failed`, or nothing). */
  onInit: ((runtime: FakeRuntime) => void) | undefined;
  /** What the fake does on SIGTERM. SIGKILL always ends it. */
  onSigterm: 'exit' | 'ignore' = 'exit';
  #resolveExit!: (status: RuntimeExitStatus) => void;
  #handlers = new Set<(message: unknown) => void>();
  #gone = false;

  constructor(readonly pid: number) {
    this.exited = new Promise((resolve) => {
      this.#resolveExit = resolve;
    });
  }

  readonly channel: Channel<HostToWorker, unknown> = {
    send: (message) => {
      this.sent.push(message);
      if (message.type === 'init') this.onInit?.(this);
      if (message.type === 'shutdown' && this.onShutdown === 'exit') {
        this.emit({ type: 'shutdown_complete' });
        this.exit({ code: 0, signal: null });
      }
    },
    onMessage: (handler) => {
      this.#handlers.add(handler);
      return () => this.#handlers.delete(handler);
    },
    close: () => {
      this.closed = true;
    },
  };

  /** The runtime posts `message` (unbranded, as the adapter hands it on). */
  emit(message: unknown): void {
    for (const handler of this.#handlers) handler(message);
  }

  /** The runtime ends. */
  exit(status: RuntimeExitStatus): void {
    if (this.#gone) return;
    this.#gone = true;
    this.#resolveExit(status);
  }

  kill(signal: RuntimeSignal): void {
    this.signals.push(signal);
    if (signal === 'SIGKILL' || this.onSigterm === 'exit') this.exit({ code: null, signal });
  }

  stderrTail(): string {
    return 'last stderr line';
  }
}
