/**
 * The runtime of an extension without a backend half: a frontend-only extension, whose manifest
 * names no `entry_backend`, has no `dist/backend.js`, and has a frontend bundle. Nothing is
 * started (no process, no worker): this instance answers the controller's `init` with `ready` and
 * `shutdown` with `shutdown_complete`, so such an extension has the same lifecycle as any other
 * (states, enable, disable, restart, its bundle route). What would go to a backend (a frontend
 * message) has nowhere to go: it is dropped, with one warning per start.
 */
import type { HostToWorker, SpindleRuntimeMode } from '@spindle/types';
import type { Channel } from './channel.ts';
import type { RuntimeExitStatus, RuntimeInstance } from './types.ts';

/** Options of `launchWithoutBackend`. */
export interface NoBackendOptions {
  mode: SpindleRuntimeMode;
  /** Told once per start when a message for the backend half is dropped. */
  onDropped(type: string): void;
}

const backendless = new WeakSet<RuntimeInstance>();

/** True for the instance of a frontend-only extension (nothing to watch, measure or message). */
export function isBackendless(runtime: RuntimeInstance): boolean {
  return backendless.has(runtime);
}

/** Starts the runtime of a frontend-only extension (see the module comment). */
export function launchWithoutBackend(options: NoBackendOptions): RuntimeInstance {
  const handlers = new Set<(message: unknown) => void>();
  let closed = false;
  let warned = false;
  let finish!: (status: RuntimeExitStatus) => void;
  const exited = new Promise<RuntimeExitStatus>((resolve) => {
    finish = resolve;
  });
  // Answers arrive after the current turn, as from any runtime.
  const reply = (
    message: { type: 'ready' } | { type: 'shutdown_complete' } | { type: 'pong'; id: number },
  ) =>
    queueMicrotask(() => {
      if (closed) return;
      for (const handler of handlers) handler(message);
    });
  const channel: Channel<HostToWorker, unknown> = {
    send(message) {
      if (closed) return;
      if (message.type === 'init') reply({ type: 'ready' });
      else if (message.type === 'ping') reply({ type: 'pong', id: message.id });
      else if (message.type === 'shutdown') {
        reply({ type: 'shutdown_complete' });
        queueMicrotask(() => finish({ code: 0, signal: null }));
      } else if (message.type === 'frontend_message' && !warned) {
        warned = true;
        options.onDropped(message.type);
      }
    },
    onMessage(handler) {
      handlers.add(handler);
      return () => handlers.delete(handler);
    },
    close() {
      closed = true;
      handlers.clear();
    },
  };
  const runtime: RuntimeInstance = {
    mode: options.mode,
    pid: process.pid,
    channel,
    exited,
    kill(signal) {
      finish({ code: null, signal });
    },
    stderrTail: () => '',
  };
  backendless.add(runtime);
  return runtime;
}
