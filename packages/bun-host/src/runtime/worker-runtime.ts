/**
 * `worker` runtime: a Bun `Worker` in the host process. Cheapest and least isolated: it shares
 * the host's pid, memory and environment; `kill()` is `terminate()`, which also stops a blocked
 * event loop. Uncaught errors are kept as the "stderr tail".
 */

import { LineTail } from './lines.ts';
import { CHILD_BOOTSTRAP_PATH } from './paths.ts';
import { bundledScript } from './script-bundle.ts';
import type { RuntimeExitStatus, RuntimeInstance } from './types.ts';
import { reportUnwritable } from './unwritable.ts';
import { WorkerChannel } from './worker-channel.ts';

/** What a worker runtime is started with. */
export interface WorkerRuntimeSpec {
  /** Folder of the bundled bootstrap (`LaunchSettings.cacheDir`). */
  cacheDir: string;
  /** An uncaught error inside the worker, as text. */
  onError(text: string): void;
  /** An inbound message was refused (unbranded or not an object). */
  onRefused(reason: string): void;
  onWarn(message: string): void;
}

/** Starts a worker runtime. The entry is imported only after `init`. */
export async function launchWorkerRuntime(spec: WorkerRuntimeSpec): Promise<RuntimeInstance> {
  const worker = new Worker(await bundledScript(CHILD_BOOTSTRAP_PATH, spec.cacheDir));
  const tail = new LineTail();
  let terminated = false;
  let uncaught = false;
  const channel: WorkerChannel = new WorkerChannel(
    worker,
    spec.onRefused,
    (error) => spec.onWarn(`a runtime message handler threw: ${String(error)}`),
    { onUnwritable: reportUnwritable(spec.onWarn, (message) => channel.send(message)) },
  );
  // A worker has no stderr of its own: its warnings and errors (console included) stand in.
  channel.onMessage((message) => {
    const log = message as { type?: unknown; level?: unknown; message?: unknown };
    if (log.type === 'log' && log.level !== 'info' && typeof log.message === 'string') {
      for (const line of log.message.split('\n')) tail.push(line);
    }
  });
  worker.addEventListener('error', (event) => {
    uncaught = true;
    const text =
      event.error instanceof Error ? (event.error.stack ?? event.error.message) : event.message;
    for (const line of String(text).split('\n')) tail.push(line);
    spec.onError(String(text));
  });
  const exited = new Promise<RuntimeExitStatus>((resolve) => {
    worker.addEventListener('close', (event) => {
      const code = (event as CloseEvent & { code?: number }).code ?? null;
      // A terminated worker has no exit status of its own; `terminate` stands in for the signal.
      if (terminated) resolve({ code: null, signal: 'terminate' });
      // An uncaught error ends a worker; some embedders (bun test) still report code 0 for it.
      else if (uncaught && !code) resolve({ code: 1, signal: null });
      else resolve({ code, signal: null });
    });
  });
  return {
    mode: 'worker',
    pid: process.pid,
    channel,
    exited,
    kill() {
      terminated = true;
      worker.terminate();
    },
    stderrTail: () => tail.toString(),
  };
}
