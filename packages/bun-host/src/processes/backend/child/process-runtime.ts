/**
 * The handler side of one backend process: builds the `SpindleBackendProcessContext`, runs the
 * handler, runs its cleanup exactly once, honours stop requests and sends exactly one terminal
 * message. Knows nothing of IPC: `main.ts` wires it to the channel.
 */
import type {
  BackendProcessRuntimeInit,
  BackendProcessToHost,
  ProcessCleanup,
  ProcessStopRequest,
  SpindleBackendProcessContext,
  SpindleBackendProcessHandler,
  Unsubscribe,
} from '@spindle/types';

/** What the runtime needs from its surroundings. */
export interface ChildHost {
  /** Sends one message; resolves once it is handed to the channel. */
  post(message: BackendProcessToHost): Promise<void>;
  /** Ends the child process. */
  exit(code: number): void;
  /** Writes a diagnostic line to stderr (the host keeps its tail). */
  report(line: string): void;
}

type Terminal = Extract<BackendProcessToHost, { type: 'complete' | 'fail' | 'stopped' }>;

/** Message of anything thrown. */
export function describeError(error: unknown): string {
  if (error instanceof Error) return error.message || error.name;
  if (typeof error === 'string') return error;
  try {
    return JSON.stringify(error) ?? String(error);
  } catch {
    return String(error);
  }
}

/** One backend process, from `init` to its terminal message. */
export class BackendProcessRuntime {
  readonly ctx: SpindleBackendProcessContext;
  readonly #host: ChildHost;
  readonly #messageHandlers = new Set<(payload: unknown) => void>();
  readonly #stopHandlers = new Set<(request: ProcessStopRequest) => void | Promise<void>>();
  #readySent = false;
  #ending = false;
  #stopRequested = false;
  #cleanup: (() => void | Promise<void>) | undefined;
  #cleanupRan = false;
  #handlerDone: Promise<void> = Promise.resolve();
  /** Messages that arrived before the handler could subscribe; flushed once it ran. */
  #early: unknown[] | undefined = [];

  constructor(init: BackendProcessRuntimeInit, host: ChildHost) {
    this.#host = host;
    const self = this;
    this.ctx = {
      processId: init.processId,
      entry: init.entry,
      kind: init.kind,
      ...(init.key === undefined ? {} : { key: init.key }),
      payload: init.payload,
      ...(init.metadata === undefined ? {} : { metadata: init.metadata }),
      ...(init.userId === undefined ? {} : { userId: init.userId }),
      ready() {
        if (self.#readySent || self.#ending) return;
        self.#readySent = true;
        void host.post({ type: 'ready' });
      },
      heartbeat() {
        if (!self.#ending) void host.post({ type: 'heartbeat' });
      },
      send(payload) {
        if (!self.#ending) void host.post({ type: 'message', payload });
      },
      onMessage(handler) {
        return self.#add(self.#messageHandlers, handler);
      },
      complete(result) {
        void self.finish(
          self.#stopRequested
            ? { type: 'stopped' }
            : result === undefined
              ? { type: 'complete' }
              : { type: 'complete', result },
        );
      },
      fail(error) {
        void self.finish({ type: 'fail', error: describeError(error) });
      },
      onStop(handler) {
        return self.#add(self.#stopHandlers, handler);
      },
    };
  }

  /** Runs the handler; a throw or rejection ends the process `failed`. */
  run(handler: SpindleBackendProcessHandler): void {
    let returned: ProcessCleanup | Promise<ProcessCleanup>;
    try {
      returned = handler(this.ctx);
      this.#flushEarly();
    } catch (error) {
      void this.finish({ type: 'fail', error: `handler threw: ${describeError(error)}` });
      return;
    }
    this.#handlerDone = Promise.resolve(returned).then(
      (cleanup) => {
        if (typeof cleanup === 'function') this.#cleanup = cleanup;
        // Ended before the handler returned its cleanup: it still runs, once.
        if (this.#ending) void this.#runCleanup();
      },
      (error: unknown) => {
        void this.finish({ type: 'fail', error: `handler rejected: ${describeError(error)}` });
      },
    );
  }

  /** A `message` from the host; held until the handler has had its chance to subscribe. */
  deliver(payload: unknown): void {
    if (this.#ending) return;
    if (this.#early !== undefined) {
      this.#early.push(payload);
      return;
    }
    for (const handler of [...this.#messageHandlers]) {
      try {
        handler(payload);
      } catch (error) {
        this.#host.report(`[spindle] onMessage handler threw: ${describeError(error)}`);
      }
    }
  }

  /**
   * A `stop` from the host. Without an `onStop` handler the process ends `stopped` at once. With
   * handlers, they run and the process keeps running: it ends when it calls `complete()`
   * (reported as `stopped`) or `fail()`, or when the host's stop grace passes and it is killed.
   * A handler that throws or rejects is reported on stderr and changes nothing else, as upstream.
   */
  stop(reason: string | undefined): void {
    if (this.#ending || this.#stopRequested) return;
    this.#stopRequested = true;
    const handlers = [...this.#stopHandlers];
    if (handlers.length === 0) {
      this.ctx.complete();
      return;
    }
    const request: ProcessStopRequest = reason === undefined ? {} : { reason };
    const report = (error: unknown) =>
      this.#host.report(`[spindle] onStop handler failed: ${describeError(error)}`);
    for (const handler of handlers) {
      try {
        const result = handler(request);
        if (result && typeof (result as Promise<void>).then === 'function') {
          (result as Promise<void>).then(undefined, report);
        }
      } catch (error) {
        report(error);
      }
    }
  }

  /**
   * Ends the process once: cleanup (errors turn the outcome into `fail`), the terminal message,
   * exit. Later calls do nothing.
   */
  async finish(outcome: Terminal): Promise<void> {
    if (this.#ending) return;
    this.#ending = true;
    // A handler that ends itself synchronously has not returned its cleanup yet: let it.
    await Promise.race([this.#handlerDone, new Promise((resolve) => setTimeout(resolve, 0))]);
    const cleanupError = await this.#runCleanup();
    let final: Terminal = outcome;
    if (cleanupError !== undefined) {
      this.#host.report(
        `[spindle] cleanup of process ${this.ctx.processId} failed: ${cleanupError}`,
      );
      if (outcome.type !== 'fail')
        final = { type: 'fail', error: `cleanup failed: ${cleanupError}` };
    }
    try {
      await this.#host.post(final);
    } finally {
      this.#host.exit(final.type === 'fail' ? 1 : 0);
    }
  }

  #flushEarly(): void {
    const early = this.#early ?? [];
    this.#early = undefined;
    for (const payload of early) this.deliver(payload);
  }

  async #runCleanup(): Promise<string | undefined> {
    const cleanup = this.#cleanup;
    if (cleanup === undefined || this.#cleanupRan) return undefined;
    this.#cleanupRan = true;
    try {
      await cleanup();
      return undefined;
    } catch (error) {
      return describeError(error);
    }
  }

  #add<T>(set: Set<T>, handler: T): Unsubscribe {
    set.add(handler);
    return () => {
      set.delete(handler);
    };
  }
}
