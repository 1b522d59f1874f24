/**
 * 100 concurrent sessions doing round trips through the whole stack (issue 6). Figure: 100
 * bridge + SDK tabs of 10 users against one host running the echo extension; in each sample
 * every tab does a few sequential round trips, all tabs at once, and every round trip is one
 * observation. Floor: a single tab on its own host of the same mode doing sequential round
 * trips — the single-session p99 the figure's p99 is read against. On both sides the tabs live
 * in a separate Bun child, so the host's event loop runs only the host, as with real browsers,
 * and the server's rate limit is raised (`stack/limits.ts`) so the lone tab is not paced.
 * DESIGN §9 sets no target for this figure, so it is shown unjudged.
 */
import type { Benchmark } from '../harness/types.ts';
import { RAISED_LIMIT_NOTE } from './stack/limits.ts';

const TABS = 100;
const USERS = 10;
/** Round trips per tab per sample. */
const PER_TAB = 5;
const QUICK_PER_TAB = 2;
/** Sequential round trips per sample of the single-tab floor. */
const BATCH = 100;
const QUICK_BATCH = 20;

function sessions(mode: 'process' | 'sandbox' | 'worker'): Benchmark {
  return {
    name: `stack-sessions-100-${mode}`,
    title: `round trip with ${TABS} concurrent sessions (${mode} mode)`,
    unit: 'ms',
    floor: {
      label: `one bridge + SDK tab alone (tabs child), ${mode} runtime echo, sequential round trips (${RAISED_LIMIT_NOTE})`,
      open: async (ctx) => {
        const { openRemoteSessions } = await import('./stack/measures.ts');
        return openRemoteSessions(ctx, mode, 1, 1, ctx.quick ? QUICK_BATCH : BATCH);
      },
    },
    figure: {
      label: `${TABS} bridge + SDK tabs of ${USERS} users (tabs child) at once, ${mode} runtime echo (${RAISED_LIMIT_NOTE})`,
      open: async (ctx) => {
        const { openRemoteSessions } = await import('./stack/measures.ts');
        return openRemoteSessions(ctx, mode, TABS, USERS, ctx.quick ? QUICK_PER_TAB : PER_TAB);
      },
    },
    rounds: { warmup: 2, measured: 20, quick: 3 },
    timeoutMs: 240_000,
  };
}

/** `process` mode. */
export const stackSessionsProcess = sessions('process');
/** `sandbox` mode. */
export const stackSessionsSandbox = sessions('sandbox');
/** `worker` mode. */
export const stackSessionsWorker = sessions('worker');
