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

/** Hears of a message dropped because JSON cannot write it, with the reason as text. */
export type UnwritableHandler = (message: WorkerToHost, reason: string) => void;

/** Why a value could not be written, as text, whatever was thrown. */
function describeThrown(error: unknown): string {
  try {
    return error instanceof Error ? error.message : String(error);
  } catch {
    return 'an error that cannot be printed';
  }
}

/** The default for a dropped message: one error line (in a worker, through `spindle.log`). */
export function logUnwritable(message: WorkerToHost, reason: string): void {
  console.error(
    `[spindle] a ${String(message.type)} message was dropped: it cannot be sent as JSON (${reason})`,
  );
}

/** Detects the medium: a worker thread, or a subprocess with an IPC channel. */
export function detectMedium(): ChildMedium | undefined {
  if (!Bun.isMainThread) return 'worker';
  if (typeof process.send === 'function') return 'ipc';
  return undefined;
}

/**
 * Opens the channel over `medium`. `onUnwritable` hears of each message dropped because JSON
 * cannot write it (the others of its batch still leave). @default one error line per message
 */
export function openHostChannel(
  medium: ChildMedium,
  onUnwritable: UnwritableHandler = logUnwritable,
): HostChannel {
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
  const unwritable = (message: unknown, error: unknown) => {
    const { __spindle: _brand, ...unbranded } = message as WorkerToHost & { __spindle?: 1 };
    onUnwritable(unbranded as WorkerToHost, describeThrown(error));
  };
  // A throw for any other reason than JSON means the host is gone; the parent-death guard ends
  // this runtime.
  let write: (frame: unknown) => void;
  if (medium === 'ipc') {
    process.on('message', deliver);
    write = (frame) => process.send?.(frame);
  } else {
    const scope = globalThis as unknown as {
      postMessage(message: unknown): void;
      addEventListener(type: 'message', listener: (event: MessageEvent) => void): void;
    };
    scope.addEventListener('message', (event) => {
      const parsed = parseFrame(event.data);
      if (parsed.ok) deliver(parsed.value);
    });
    write = (frame) => scope.postMessage(JSON.stringify(frame));
  }
  // Each message is checked on its own as it is sent: one JSON cannot write is refused alone,
  // and the others of its batch still leave.
  const batcher = new Batcher<WorkerToHost>({
    schedule: queueMicrotask,
    post: (frame) => postFrame(frame, write, unwritable),
    onUnwritable: (message, reason) => onUnwritable(message, reason),
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
