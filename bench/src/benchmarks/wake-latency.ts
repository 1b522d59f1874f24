/**
 * Wake latency (issue 22): a hibernated extension gets a message from its frontend and answers.
 * Figure: the whole stack (`stack/stack-host.ts`, process mode) with one tab of bridge + SDK;
 * before each sample the echo extension is hibernated (outside the timing); the sample is one
 * `sendToBackend` → the runtime starts (lazy wake, the message waits for it) → echo →
 * `onBackendMessage`. Floor: the cold start of a runtime and one round trip done by the platform
 * alone, measured back to back in one sample: Bun started as `process` mode requires (its own
 * group, in a PID namespace of its own, under a pids cap: `processFloorCommand`) with IPC to its first message,
 * plus one round trip of the raw WebSocket → `Bun.serve` → IPC relay. Target ≤ 1.3×.
 */
import { openWsIpcRelay } from '../floors/ws.ts';
import type { Benchmark } from '../harness/types.ts';

const rounds = { warmup: 3, measured: 30, quick: 5 };

/** `process` mode. */
export const wakeLatencyProcess: Benchmark = {
  name: 'wake-latency-process',
  title: 'first message to a hibernated extension → its answer at the frontend (process mode)',
  unit: 'ms',
  floor: {
    label:
      'bwrap --unshare-pid prlimit --nproc bun (own group) + IPC → first message, plus one raw WS → Bun.serve → IPC relay round trip',
    open: async (ctx) => {
      const { processFloorCommand, timeToFirstMessage } = await import('./lib/bare-children.ts');
      const cmd = await processFloorCommand(ctx.bunPath);
      const relay = await openWsIpcRelay(ctx.bunPath, 1);
      return {
        async sample() {
          const start = await timeToFirstMessage(cmd);
          const [trip] = (await relay.sample()) as number[];
          return start + (trip ?? 0);
        },
        close: () => relay.close(),
      };
    },
  },
  figure: {
    label: 'bridge + SDK tab → host server → hibernated process runtime wakes → echo → back',
    open: async (ctx) => {
      const { openStackHost } = await import('./stack/stack-host.ts');
      const { openStackClient } = await import('./stack/client.ts');
      const { ECHO_EXTENSION_ID } = await import('./stack/messages.ts');
      const stack = await openStackHost({ mode: 'process', log: ctx.log });
      let client: Awaited<ReturnType<typeof openStackClient>>;
      try {
        client = await openStackClient({ url: stack.wsUrl, token: stack.tokenOf(0) });
      } catch (error) {
        await stack.close();
        throw error;
      }
      return {
        async sample() {
          const info = await stack.host.hibernate(ECHO_EXTENSION_ID);
          if (info.state !== 'hibernated') throw new Error(`echo is ${info.state}, not hibernated`);
          return client.roundTrip();
        },
        async close() {
          try {
            client.close();
          } finally {
            await stack.close();
          }
        },
      };
    },
  },
  target: [{ stat: 'median', relation: 'at-most', times: 1.3 }],
  rounds,
};
