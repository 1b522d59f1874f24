/**
 * The figure samplers of the whole-stack benchmarks: a real host stack (`stack-host.ts`) and
 * benchmark tabs (`client.ts`) in the benchmark's Bun child. Bun-only: import lazily.
 */
import type { SpindleRuntimeMode } from '@spindle/types';
import type { MeasureContext, Sampler } from '../../harness/types.ts';
import { openStackClient, type StackClient } from './client.ts';
import { RAISED_FRAMES_PER_SECOND } from './limits.ts';
import { openStackHost, type StackHost } from './stack-host.ts';

/** Opens `count` tabs, `lanes` at a time, user `i % users` each; closes them all on failure. */
export async function openClients(
  stack: StackHost,
  count: number,
  lanes: number,
): Promise<StackClient[]> {
  const clients: StackClient[] = [];
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const index = next++;
      clients.push(await openStackClient({ url: stack.wsUrl, token: stack.tokenOf(index) }));
    }
  };
  const lanesDone = await Promise.allSettled(Array.from({ length: Math.min(lanes, count) }, lane));
  const failed = lanesDone.find((r) => r.status === 'rejected');
  if (failed) {
    for (const c of clients) c.close();
    throw failed.reason;
  }
  return clients;
}

/** A stack and its tabs, closed together (tabs first, so the host sees clean disconnects). */
async function withStack<T>(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  opts: { tabs: number; users: number; maxFramesPerSecond?: number },
  build: (clients: StackClient[]) => T,
): Promise<{ value: T; close(): Promise<void> }> {
  const stack = await openStackHost({
    mode,
    users: opts.users,
    log: ctx.log,
    ...(opts.maxFramesPerSecond === undefined
      ? {}
      : { maxFramesPerSecond: opts.maxFramesPerSecond }),
  });
  let clients: StackClient[];
  try {
    clients = await openClients(stack, opts.tabs, 10);
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    value: build(clients),
    async close() {
      try {
        for (const c of clients) c.close();
      } finally {
        await stack.close();
      }
    },
  };
}

/**
 * One tab; each sample times `batch` sequential round trips. `maxFramesPerSecond` undefined
 * keeps the server's shipped per-connection rate limit.
 */
export async function openStackRoundTrip(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  batch: number,
  maxFramesPerSecond: number | undefined,
): Promise<Sampler> {
  const opened = await withStack(
    ctx,
    mode,
    { tabs: 1, users: 1, ...(maxFramesPerSecond === undefined ? {} : { maxFramesPerSecond }) },
    ([client]) => client!,
  );
  return {
    async sample() {
      const out: number[] = [];
      for (let i = 0; i < batch; i++) out.push(await opened.value.roundTrip());
      return out;
    },
    close: opened.close,
  };
}

/**
 * One tab; each sample is one burst of `burst` one-way messages counted by the backend runtime.
 * `maxFramesPerSecond` undefined keeps the server's shipped per-connection rate limit.
 */
export async function openStackThroughput(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  burst: number,
  maxFramesPerSecond: number | undefined,
): Promise<Sampler> {
  const opened = await withStack(
    ctx,
    mode,
    { tabs: 1, users: 1, ...(maxFramesPerSecond === undefined ? {} : { maxFramesPerSecond }) },
    ([client]) => client!,
  );
  return { sample: () => opened.value.burst(burst), close: opened.close };
}

/** A stack with tabs in a separate Bun child; both closed together (tabs first). */
async function openRemoteStack(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  tabs: number,
  users: number,
) {
  const { openRemoteTabs } = await import('./remote-tabs.ts');
  const stack = await openStackHost({
    mode,
    users,
    log: ctx.log,
    maxFramesPerSecond: RAISED_FRAMES_PER_SECOND,
  });
  let remote: Awaited<ReturnType<typeof openRemoteTabs>>;
  try {
    const tokens = Array.from({ length: tabs }, (_, i) => stack.tokenOf(i));
    remote = await openRemoteTabs(ctx.bunPath, stack.wsUrl, tokens);
  } catch (error) {
    await stack.close();
    throw error;
  }
  return {
    remote,
    async close() {
      try {
        await remote.close();
      } finally {
        await stack.close();
      }
    },
  };
}

/**
 * `tabs` tabs of `users` users in a separate Bun child (`remote-tabs.ts`), so the host's event
 * loop runs only the host; each sample has every tab do `perTab` sequential round trips, all
 * tabs at once, and yields every round trip's milliseconds. With one tab this is the
 * single-session baseline under the same conditions. The server's rate limit is raised
 * (`limits.ts`), so a lone tab's back-to-back round trips are not paced.
 */
export async function openRemoteSessions(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  tabs: number,
  users: number,
  perTab: number,
): Promise<Sampler> {
  const opened = await openRemoteStack(ctx, mode, tabs, users);
  return { sample: () => opened.remote.run(perTab), close: opened.close };
}

/**
 * One tab in a separate Bun child sending one-way bursts of `burst` messages, counted by the
 * backend runtime; the server's rate limit is raised.
 */
export async function openRemoteThroughput(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  burst: number,
): Promise<Sampler> {
  const opened = await openRemoteStack(ctx, mode, 1, 1);
  return { sample: () => opened.remote.burst(burst), close: opened.close };
}
