/**
 * Runtime side of the host channel: Bun IPC (`process.send` / `process.on('message')`) in a
 * subprocess, `postMessage` in a worker. Branded like the host side; unbranded input is dropped.
 */
import type { HostToWorker, WorkerToHost } from '@spindle/types';
import { brand, type Channel, HandlerSet, unbrand } from '../channel.ts';

/** The runtime's channel to its host. */
export type HostChannel = Channel<WorkerToHost, HostToWorker>;

/** Which medium this runtime talks over. */
export type ChildMedium = 'ipc' | 'worker';

/** Detects the medium: a worker thread, or a subprocess with an IPC channel. */
export function detectMedium(): ChildMedium | undefined {
  if (!Bun.isMainThread) return 'worker';
  if (typeof process.send === 'function') return 'ipc';
  return undefined;
}

/** Opens the channel over `medium`. */
export function openHostChannel(medium: ChildMedium): HostChannel {
  const handlers = new HandlerSet<HostToWorker>();
  let closed = false;
  const deliver = (raw: unknown) => {
    if (closed) return;
    const result = unbrand(raw);
    if (result.ok) {
      handlers.emit(result.value as HostToWorker, (error) => {
        console.error('[spindle] a host message handler threw:', error);
      });
    }
  };
  let post: (message: unknown) => void;
  if (medium === 'ipc') {
    process.on('message', deliver);
    post = (message) => process.send?.(message);
  } else {
    const scope = globalThis as unknown as {
      postMessage(message: unknown): void;
      addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
    };
    scope.addEventListener('message', (event) => deliver(event.data));
    post = (message) => scope.postMessage(message);
  }
  return {
    send(message) {
      if (closed) return;
      try {
        post(brand(message));
      } catch {
        // The host is gone; the parent-death guard ends this runtime.
      }
    },
    onMessage: (handler) => handlers.add(handler),
    close() {
      closed = true;
      handlers.clear();
      if (medium === 'ipc') process.off('message', deliver);
    },
  };
}
