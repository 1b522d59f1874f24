/**
 * Bootstrap of every backend runtime (a Bun subprocess or a Bun Worker). It waits for `init`,
 * defines the global `spindle`, imports the extension's backend entry, and reports `ready` only
 * when that import succeeded (`init_failed` with the serialized error otherwise).
 * In `sandbox` mode the launcher applied Landlock before Bun started, and the child guard
 * (seccomp on every thread) is applied below before anything else runs.
 */
import type { HostToWorker, WorkerToHost } from '@spindle/types';
// The errors module alone: the package index would load every validator and valibot.
import { SpindleError, serializeError } from '@spindle/types/errors';
import { applyChildGuard } from '../../sandbox/child-guard.ts';
import { runEntryModule } from '../entry-loader.ts';
import { takeInitFromEnv } from '../init-env.ts';
import { type ActivityTracker, installActivityTracking } from './activity.ts';
import { detectMedium, type HostChannel, logUnwritable, openHostChannel } from './channel.ts';
import { heapReader } from './heap.ts';
import { RequestTable } from './rpc.ts';
import { createSpindle, formatLogArgs, type SpindleRuntime } from './spindle.ts';

type InitMessage = Extract<HostToWorker, { type: 'init' }>;

applyChildGuard();

// The bootstrap's own timer, taken before the extension's timers are wrapped and counted.
const bootstrapSetTimeout = globalThis.setTimeout;
const medium = detectMedium();
if (!medium) {
  console.error('[spindle] this file is the runtime bootstrap; the host starts it, not you');
  process.exit(2);
}

// A request JSON cannot write never reaches the host: its caller gets the error instead of a
// promise that never settles. Any other such message is dropped with an error line.
const channel: HostChannel = openHostChannel(medium, (message, reason) => {
  if ('requestId' in message && typeof message.requestId === 'string') {
    rpc.fail(
      message.requestId,
      new SpindleError(
        'INVALID_OPTIONS',
        `${message.type} cannot be sent to the host: its data is not JSON (${reason})`,
      ),
    );
    return;
  }
  logUnwritable(message, reason);
});
const post = (message: WorkerToHost) => channel.send(message);
// A worker's memory is its heap, reported with each pong (the host reads a subprocess's from
// /proc); taken before the entry runs, so the extension cannot swap the reader.
const readHeap = medium === 'worker' ? heapReader() : undefined;
const rpc = new RequestTable(post);
let runtime: SpindleRuntime | undefined;
let activity: ActivityTracker | undefined;
let initialized = false;
let shuttingDown = false;

channel.onMessage(receive);

function receive(message: HostToWorker): void {
  switch (message.type) {
    case 'init':
      if (initialized) return;
      initialized = true;
      void start(message);
      return;
    case 'shutdown':
      shutdown();
      return;
    case 'ping':
      post(
        readHeap === undefined
          ? { type: 'pong', id: message.id }
          : { type: 'pong', id: message.id, heapBytes: readHeap() },
      );
      return;
    case 'response':
      rpc.settle(message.requestId, message.result, message.error);
      return;
    default:
      runtime?.deliver(message);
  }
}

// A subprocess may have found its `init` in the environment: no need to wait for it.
if (medium === 'ipc') {
  const init = takeInitFromEnv();
  if (init !== undefined) receive(init as HostToWorker);
}

async function start(init: InitMessage): Promise<void> {
  try {
    if (medium === 'worker') redirectConsole();
    activity = installActivityTracking(post);
    runtime = createSpindle(
      {
        manifest: init.manifest,
        host: init.host,
        services: init.services,
        grantedPermissions: init.grantedPermissions,
      },
      rpc,
      post,
      activity,
    );
    Object.defineProperty(globalThis, 'spindle', {
      value: runtime.api,
      enumerable: false,
      configurable: false,
      writable: false,
    });
    await runEntryModule(init.entryPath);
  } catch (error) {
    console.error(error instanceof Error ? (error.stack ?? error.message) : String(error));
    post({ type: 'init_failed', error: serializeError(error) });
    exitSoon(1);
    return;
  }
  if (shuttingDown) return;
  post({ type: 'ready' });
}

function shutdown(): void {
  if (shuttingDown) return;
  shuttingDown = true;
  activity?.stop();
  // The pending requests' rejections run before the runtime reports it is done.
  void rpc.close('the runtime is shutting down').then(() => {
    post({ type: 'shutdown_complete' });
    exitSoon(0);
  });
}

function exitSoon(code: number): void {
  // One turn of the loop lets the last message leave before the channel goes.
  bootstrapSetTimeout(() => {
    channel.close();
    process.exit(code);
  }, 0);
}

/** In a worker, console output would reach the host untagged: route it through `spindle.log`. */
function redirectConsole(): void {
  const send =
    (level: 'info' | 'warn' | 'error') =>
    (...args: unknown[]) =>
      post({ type: 'log', level, message: formatLogArgs(args) });
  console.log = send('info');
  console.info = send('info');
  console.debug = send('info');
  console.warn = send('warn');
  console.error = send('error');
}
