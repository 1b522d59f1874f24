/**
 * The host's listener on one runtime: everything the runtime sends is validated as it arrives.
 * An invalid request is answered at once with a typed error for its id (its caller never hangs);
 * any other invalid message is reported and dropped. `ready` and `init_failed` settle the start;
 * the rest goes to the controller while this runtime is still the extension's current one.
 */
import { type SerializedError, validateWorkerToHost } from '@spindle/types';
import type { ExtensionControllerOptions } from './controller-types.ts';
import { refusalFor } from './refusal.ts';
import type { RuntimeInstance } from './types.ts';

/** How a start ends on the runtime's side: it reported ready, or its entry failed to import. */
export interface StartSignals {
  ready: Promise<void>;
  initFailed: Promise<SerializedError>;
}

/** What the listener hands on. */
export interface RuntimeInboundOptions
  extends Pick<ExtensionControllerOptions, 'onMessage' | 'onLog'> {
  /** True while the runtime is the extension's current one; an old one's messages are dropped. */
  isCurrent(): boolean;
}

/** Listens to `runtime` for as long as it lives; returns its start signals. */
export function listenToRuntime(runtime: RuntimeInstance, o: RuntimeInboundOptions): StartSignals {
  let onReady!: () => void;
  let onInitFailed!: (error: SerializedError) => void;
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  const initFailed = new Promise<SerializedError>((resolve) => {
    onInitFailed = resolve;
  });
  runtime.channel.onMessage((raw) => {
    const result = validateWorkerToHost(raw);
    if (!result.ok) {
      const issue = result.error;
      if (issue.requestId !== undefined) {
        // A request is answered, never dropped: its caller's promise rejects at once.
        runtime.channel.send({
          type: 'response',
          requestId: issue.requestId,
          error: refusalFor(raw, issue),
        });
        return;
      }
      o.onLog(
        'warn',
        `rejected a message from the runtime (${issue.code} at ${issue.path || '<root>'}): ${issue.message}`,
      );
      return;
    }
    const message = result.value;
    switch (message.type) {
      case 'ready':
        onReady();
        return;
      case 'init_failed':
        onInitFailed(message.error);
        return;
      case 'shutdown_complete':
        return;
      default:
        if (o.isCurrent()) o.onMessage(message, runtime);
    }
  });
  return { ready, initFailed };
}
