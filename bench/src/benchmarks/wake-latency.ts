/**
 * Wake latency (issue 22): a hibernated extension gets a message from its frontend and answers.
 * Figure: the whole stack (`stack/stack-host.ts`, process mode) with one tab of bridge + SDK;
 * before each sample the echo extension is hibernated (outside the timing); the sample is one
 * `sendToBackend` → the runtime starts (lazy wake, the message waits for it) → echo →
 * `onBackendMessage`. Floor: the same job done by the platform alone (`openColdStartRelay`): a
 * raw WebSocket message makes `Bun.serve` start Bun as `process` mode requires (its own group,
 * in a PID namespace of its own, under a pids cap: `floorCommand`), the child loads a minimal
 * backend entry with `require` (as every runtime must before it is ready), the message goes to
 * it over IPC once it reported ready, and its echo comes back over the WebSocket. (An earlier
 * floor added a round trip through an already warm child; no wake can have one, and the first
 * message into a just-started Bun costs several times a warm trip.) Target ≤ 1.3×.
 */
import type { Benchmark } from '../harness/types.ts';

const rounds = { warmup: 3, measured: 30, quick: 5 };

/** `process` mode. */
export const wakeLatencyProcess: Benchmark = {
  name: 'wake-latency-process',
  title: 'first message to a hibernated extension → its answer at the frontend (process mode)',
  unit: 'ms',
  floor: {
    label:
      'raw WS → Bun.serve starts bwrap --unshare-pid prlimit --nproc bun (own group), which requires its idle entry → ready → the message over IPC → echo → back',
    open: async (ctx) => {
      const { floorCommand, openColdStartRelay, openFloorRoom } = await import(
        './lib/bare-children.ts'
      );
      const room = openFloorRoom('runtime');
      try {
        const relay = await openColdStartRelay(
          await floorCommand(ctx.bunPath, 'process', room),
          room.cwd,
        );
        return {
          sample: () => relay.sample(),
          close: async () => {
            try {
              await relay.close();
            } finally {
              room.remove();
            }
          },
        };
      } catch (error) {
        room.remove();
        throw error;
      }
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
