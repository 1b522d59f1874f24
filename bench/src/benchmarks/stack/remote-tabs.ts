/**
 * Benchmark tabs in a separate Bun child (`tabs-child.ts`), driven over IPC: the host under
 * test then has its event loop to itself, as with real browsers, and the tabs' timings are
 * taken in the child. The child is SIGKILLed and awaited on close and whenever opening fails.
 * Bun-only: import lazily.
 */
import { fileURLToPath } from 'node:url';
import { SpindleError } from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import type { TabsCommand, TabsReply } from './tabs-protocol.ts';

const CHILD = fileURLToPath(new URL('./tabs-child.ts', import.meta.url));

/** Bound on the child starting, on opening the tabs, and on one run. */
export const TABS_DEADLINE_MS = 60_000;
/** Bound on the child's orderly close. */
export const TABS_CLOSE_DEADLINE_MS = 10_000;

/** Tabs living in the child. */
export interface RemoteTabs {
  /** Every tab does `perTab` sequential round trips, all at once; every round trip's ms. */
  run(perTab: number): Promise<number[]>;
  /** The first tab's one-way burst of `count` messages; messages/s counted by the backend. */
  burst(count: number): Promise<number>;
  /** Closes the tabs, then kills the child and awaits its exit. */
  close(): Promise<void>;
}

/** Starts the child and opens one tab per token against `url`. */
export async function openRemoteTabs(
  bunPath: string,
  url: string,
  tokens: readonly string[],
): Promise<RemoteTabs> {
  let deliver: ((reply: TabsReply) => void) | undefined;
  const proc = Bun.spawn({
    cmd: [bunPath, CHILD],
    ipc: (message) => deliver?.(message as TabsReply),
    serialization: 'json',
    stdin: 'ignore',
    stdout: 'ignore',
    stderr: 'inherit',
  });
  const died = proc.exited.then((code) => {
    throw new SpindleError('INTERNAL', `benchmark tabs child exited with code ${code}`);
  });
  died.catch(() => {});
  const next = (what: string, ms: number) =>
    withDeadline(
      Promise.race([
        new Promise<TabsReply>((resolve) => {
          deliver = resolve;
        }),
        died,
      ]),
      ms,
      what,
    );
  const request = async (command: TabsCommand, what: string, ms: number) => {
    const answer = next(what, ms);
    proc.send(command);
    const got = await answer;
    if (got.type === 'error') throw new SpindleError('INTERNAL', `${what}: ${got.message}`);
    return got;
  };
  const kill = async () => {
    proc.kill('SIGKILL');
    await proc.exited;
  };
  try {
    const ready = await next('tabs child ready', TABS_DEADLINE_MS);
    if (ready.type !== 'ready') throw new SpindleError('INTERNAL', `tabs child said ${ready.type}`);
    const opened = await request(
      { type: 'open', url, tokens, lanes: 10 },
      'open tabs',
      TABS_DEADLINE_MS,
    );
    if (opened.type !== 'opened' || opened.count !== tokens.length) {
      throw new SpindleError('INTERNAL', `tabs child opened ${JSON.stringify(opened)}`);
    }
  } catch (error) {
    await kill();
    throw error;
  }
  return {
    async run(perTab) {
      const got = await request({ type: 'run', perTab }, 'tabs run', TABS_DEADLINE_MS);
      if (got.type !== 'result') throw new SpindleError('INTERNAL', `tabs child said ${got.type}`);
      return got.ms;
    },
    async burst(count) {
      const got = await request({ type: 'burst', count }, 'tabs burst', TABS_DEADLINE_MS);
      if (got.type !== 'rate') throw new SpindleError('INTERNAL', `tabs child said ${got.type}`);
      return got.perSecond;
    },
    async close() {
      try {
        await request({ type: 'close' }, 'close tabs', TABS_CLOSE_DEADLINE_MS);
      } finally {
        await kill();
      }
    },
  };
}
