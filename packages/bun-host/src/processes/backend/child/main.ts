/**
 * Entry of every backend process child (`Bun.spawn`ed by the host, inside the sandbox in
 * `sandbox` mode). Takes `init` from its environment (`INIT_ENV`) or else waits for it on IPC,
 * imports the entry, runs its `default` or `run` export and bridges the IPC channel to
 * `BackendProcessRuntime`. Exits after its terminal message.
 */
import type {
  BackendProcessRuntimeInit,
  BackendProcessToHost,
  SpindleBackendProcessModule,
} from '@spindle/types';
import { loadEntryModule } from '../../../runtime/entry-loader.ts';
import { applyChildGuard } from '../../../sandbox/child-guard.ts';
import { brandMessage, INIT_ENV, unbrandMessage } from '../wire.ts';
import { BackendProcessRuntime, type ChildHost, describeError } from './process-runtime.ts';

applyChildGuard();

/** Messages after which the child exits: their sending must finish first. */
const TERMINAL = new Set<BackendProcessToHost['type']>(['complete', 'fail', 'stopped']);

const host: ChildHost = {
  post(message: BackendProcessToHost) {
    if (!TERMINAL.has(message.type)) {
      // Fire and forget: waiting for the hand-over callback buys nothing for a process that goes
      // on running, and would put a turn of the loop on every message.
      try {
        process.send?.(brandMessage(message));
      } catch {
        // The channel is gone; the host sees the exit.
      }
      return Promise.resolve();
    }
    return new Promise<void>((resolve) => {
      try {
        // The callback fires once the message is handed over: exiting before it loses it.
        process.send?.(brandMessage(message), undefined, undefined, () => resolve());
      } catch {
        resolve();
      }
    });
  },
  exit(code) {
    process.exit(code);
  },
  report(line) {
    process.stderr.write(`${line}\n`);
  },
};

let runtime: BackendProcessRuntime | undefined;

async function start(init: BackendProcessRuntimeInit): Promise<void> {
  const current = new BackendProcessRuntime(init, host);
  runtime = current;
  let handler: SpindleBackendProcessModule['default'];
  try {
    const mod = (await loadEntryModule(init.entryPath)) as SpindleBackendProcessModule;
    handler = typeof mod.default === 'function' ? mod.default : mod.run;
  } catch (error) {
    host.report(`[spindle] cannot import ${init.entry}: ${describeError(error)}`);
    await current.finish({
      type: 'fail',
      error: `cannot import ${init.entry}: ${describeError(error)}`,
    });
    return;
  }
  if (typeof handler !== 'function') {
    await current.finish({
      type: 'fail',
      error: `${init.entry} exports neither a default nor a run function`,
    });
    return;
  }
  current.run(handler);
}

function isInit(
  value: Record<string, unknown>,
): value is { type: 'init'; process: BackendProcessRuntimeInit } {
  const p = value.process as Record<string, unknown> | undefined;
  return (
    typeof p === 'object' &&
    p !== null &&
    typeof p.processId === 'string' &&
    typeof p.entryPath === 'string' &&
    typeof p.entry === 'string' &&
    typeof p.kind === 'string'
  );
}

/** Starts from `init`, or exits: a child without a usable `init` has nothing to run. */
function begin(value: Record<string, unknown>): void {
  if (runtime !== undefined) return;
  if (!isInit(value)) {
    host.report('[spindle] unusable init message');
    process.exit(2);
  }
  void start(value.process);
}

process.on('message', (raw: unknown) => {
  const unbranded = unbrandMessage(raw);
  if (!unbranded.ok) {
    host.report(`[spindle] ignored a message from the host: ${unbranded.reason}`);
    return;
  }
  const message = unbranded.value;
  switch (message.type) {
    case 'init':
      begin(message);
      return;
    case 'stop':
      runtime?.stop(typeof message.reason === 'string' ? message.reason : undefined);
      return;
    case 'message':
      runtime?.deliver(message.payload);
      return;
    default:
      host.report(
        `[spindle] ignored an unknown message type from the host: ${String(message.type)}`,
      );
  }
});

process.on('uncaughtException', (error) => {
  if (runtime) void runtime.finish({ type: 'fail', error: `uncaught: ${describeError(error)}` });
  else process.exit(1);
});
process.on('unhandledRejection', (error) => {
  if (runtime)
    void runtime.finish({ type: 'fail', error: `unhandled rejection: ${describeError(error)}` });
  else process.exit(1);
});
// The host is gone: nobody is left to report to.
process.on('disconnect', () => process.exit(0));

const initFromEnv = process.env[INIT_ENV];
if (initFromEnv !== undefined) {
  delete process.env[INIT_ENV];
  let parsed: unknown;
  try {
    parsed = JSON.parse(initFromEnv);
  } catch {
    parsed = undefined;
  }
  begin({ type: 'init', process: parsed });
}
