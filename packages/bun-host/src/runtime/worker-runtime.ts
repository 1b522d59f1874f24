/**
 * `worker` runtime: a Bun `Worker` in the host process. Cheapest and least isolated: it shares
 * the host's pid, memory and environment; `kill()` is `terminate()`, which also stops a blocked
 * event loop. Uncaught errors are kept as the "stderr tail".
 */

import { LineTail } from './lines.ts';
import { CHILD_BOOTSTRAP_PATH } from './paths.ts';
import type { RuntimeExitStatus, RuntimeInstance } from './types.ts';
import { WorkerChannel } from './worker-channel.ts';

/** What a worker runtime is started with. */
export interface WorkerRuntimeSpec {
  /** An uncaught error inside the worker, as text. */
  onError(text: string): void;
  /** An inbound message was refused (unbranded or not an object). */
  onRefused(reason: string): void;
  onWarn(message: string): void;
}

/** Starts a worker runtime. The entry is imported only after `init`. */
export async function launchWorkerRuntime(spec: WorkerRuntimeSpec): Promise<RuntimeInstance> {
  const worker = new Worker(CHILD_BOOTSTRAP_PATH);
  const tail = new LineTail();
  let terminated = false;
  const channel = new WorkerChannel(worker, spec.onRefused, (error) =>
    spec.onWarn(`a runtime message handler threw: ${String(error)}`),
  );
  worker.addEventListener('error', (event) => {
    const text =
      event.error instanceof Error ? (event.error.stack ?? event.error.message) : event.message;
    for (const line of String(text).split('\n')) tail.push(line);
    spec.onError(String(text));
  });
  const exited = new Promise<RuntimeExitStatus>((resolve) => {
    worker.addEventListener('close', (event) => {
      const code = (event as CloseEvent & { code?: number }).code ?? null;
      // A terminated worker has no exit status of its own; `terminate` stands in for the signal.
      resolve(terminated ? { code: null, signal: 'terminate' } : { code, signal: null });
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
