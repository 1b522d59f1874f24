/**
 * Raw Bun IPC floors: a bare `Bun.spawn` with IPC to its first message, and a parent ↔ child
 * echo. The spawn options match what the host uses for backend subprocesses (JSON
 * serialization, piped stdout/stderr) so that a figure's ratio shows only our own overhead.
 * Every child is SIGKILLed and awaited in `finally`.
 */
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';
import { withDeadline } from '../harness/deadline.ts';
import type { Sampler } from '../harness/types.ts';

const READY_CHILD = fileURLToPath(new URL('./children/ready-child.ts', import.meta.url));
const ECHO_CHILD = fileURLToPath(new URL('./children/echo-child.ts', import.meta.url));

/** Bound on a child's first message. */
export const FIRST_MESSAGE_DEADLINE_MS = 10_000;
/** Bound on one echo round trip. */
export const ROUND_TRIP_DEADLINE_MS = 5_000;

/** A small JSON message, the size of a typical process message. */
export function pingMessage(seq: number): {
  type: 'message';
  seq: number;
  payload: { text: string };
} {
  return { type: 'message', seq, payload: { text: 'ping' } };
}

async function killAndWait(proc: {
  kill(signal?: number | NodeJS.Signals): void;
  exited: Promise<number>;
}) {
  proc.kill('SIGKILL');
  await proc.exited;
}

function exitedEarly(proc: { exited: Promise<number> }, what: string): Promise<never> {
  return proc.exited.then((code) => {
    throw new SpindleError('EXITED_BEFORE_READY', `child exited with code ${code} before ${what}`);
  });
}

/**
 * Milliseconds from `Bun.spawn` of a child with IPC to the parent receiving its first message.
 * The child is killed and awaited before this resolves.
 */
export async function timeSpawnToFirstMessage(bunPath: string): Promise<number> {
  let onFirst: (ms: number) => void = () => {};
  const first = new Promise<number>((resolve) => {
    onFirst = resolve;
  });
  const t0 = performance.now();
  const proc = Bun.spawn({
    cmd: [bunPath, READY_CHILD],
    ipc: () => onFirst(performance.now() - t0),
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  try {
    return await withDeadline(
      Promise.race([first, exitedEarly(proc, 'its first IPC message')]),
      FIRST_MESSAGE_DEADLINE_MS,
      'first IPC message of a bare Bun child',
    );
  } finally {
    await killAndWait(proc);
  }
}

/** A running IPC echo child. */
export interface EchoChild {
  /** Sends a message over IPC; the child sends it straight back. */
  send(message: unknown): void;
  /** Rejects with `EXITED_BEFORE_READY` once the child exits (handled; race it with a wait). */
  died: Promise<never>;
  /** SIGKILLs the child and awaits its exit. */
  close(): Promise<void>;
}

/**
 * Starts an IPC echo child and resolves once it reported ready; every later message from it
 * goes to `onMessage`. Killed before rejecting if it does not get ready.
 */
export async function startEchoChild(
  bunPath: string,
  onMessage: (message: unknown) => void,
): Promise<EchoChild> {
  let onReady: () => void = () => {};
  const ready = new Promise<void>((resolve) => {
    onReady = resolve;
  });
  let isReady = false;
  const proc = Bun.spawn({
    cmd: [bunPath, ECHO_CHILD],
    ipc: (message) => {
      if (isReady) return onMessage(message);
      isReady = true;
      onReady();
    },
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'pipe',
    stderr: 'pipe',
  });
  const died = exitedEarly(proc, 'the echo was closed');
  died.catch(() => {});
  try {
    await withDeadline(Promise.race([ready, died]), FIRST_MESSAGE_DEADLINE_MS, 'IPC echo ready');
  } catch (error) {
    await killAndWait(proc);
    throw error;
  }
  return { send: (m) => proc.send(m), died, close: () => killAndWait(proc) };
}

/** Throws `INTERNAL` when an echo came back with another sequence number. */
export function checkEcho(got: unknown, sent: number, what: string): void {
  const seq = (got as { seq?: unknown } | null)?.seq;
  if (seq !== sent) {
    throw new SpindleError('INTERNAL', `${what} returned seq ${String(seq)}, sent ${sent}`);
  }
}

/**
 * Opens a Bun child that echoes IPC messages; each sample times `batch` sequential round trips
 * of `pingMessage`, one observation each.
 */
export async function openIpcEcho(bunPath: string, batch: number): Promise<Sampler> {
  let waiter: ((message: unknown) => void) | undefined;
  const child = await startEchoChild(bunPath, (message) => waiter?.(message));
  const next = () =>
    withDeadline(
      Promise.race([
        new Promise<unknown>((resolve) => {
          waiter = resolve;
        }),
        child.died,
      ]),
      ROUND_TRIP_DEADLINE_MS,
      'IPC echo',
    );
  let seq = 0;
  return {
    async sample() {
      const out: number[] = [];
      for (let i = 0; i < batch; i++) {
        const message = pingMessage(seq++);
        const t0 = performance.now();
        const reply = next();
        child.send(message);
        const got = await reply;
        out.push(performance.now() - t0);
        checkEcho(got, message.seq, 'IPC echo');
      }
      return out;
    },
    close: child.close,
  };
}
