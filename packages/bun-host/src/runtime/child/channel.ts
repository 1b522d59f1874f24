/**
 * Runtime side of the host channel: Bun IPC (`process.send` / `process.on('message')`) in a
 * subprocess, `postMessage` of JSON text in a worker. Branded like the host side; unbranded
 * input is dropped. A message that cannot be written as JSON (a `BigInt`, a cycle) is dropped
 * with an error on the console; the others of its batch still leave.
 */
import type { HostToWorker, WorkerToHost } from '@spindle/types';
import { Batcher, postFrame } from '../batch.ts';
import { type Channel, HandlerSet, parseFrame, unbrandEach } from '../channel.ts';

/**
 * The runtime's channel to its host. Outbound traffic is batched per microtask checkpoint: the
 * replies to one inbound batch leave together, and nothing waits for a later loop turn (a
 * `shutdown_complete` is out before the exit timer fires).
 */
export type HostChannel = Channel<WorkerToHost, HostToWorker>;

/** Which medium this runtime talks over. */
export type ChildMedium = 'ipc' | 'worker';

function reportUnwritable(message: unknown, error: unknown): void {
  const type = (message as { type?: unknown }).type;
  console.error(
    `[spindle] a ${String(type)} message was dropped: it cannot be sent as JSON (${String(error)})`,
  );
}

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
  const onError = (error: unknown) => {
    console.error('[spindle] a host message handler threw:', error);
  };
  const emit = (message: unknown) => handlers.emit(message as HostToWorker, onError);
  // Nobody but the host writes here; anything unbranded is dropped without a word.
  const ignore = () => {};
  const deliver = (raw: unknown) => {
    if (closed) return;
    unbrandEach(raw, emit, ignore);
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
    scope.addEventListener('message', (event) => {
      const parsed = parseFrame(event.data);
      if (parsed.ok) deliver(parsed.value);
    });
    post = (message) => scope.postMessage(JSON.stringify(message));
  }
  const batcher = new Batcher<WorkerToHost>({
    schedule: queueMicrotask,
    // A throw for any other reason means the host is gone; the parent-death guard ends this
    // runtime.
    post: (frame) => postFrame(frame, post, reportUnwritable),
  });
  return {
    send(message) {
      if (closed) return;
      batcher.send(message);
    },
    onMessage: (handler) => handlers.add(handler),
    close() {
      batcher.close();
      closed = true;
      handlers.clear();
      if (medium === 'ipc') process.off('message', deliver);
    },
  };
}
