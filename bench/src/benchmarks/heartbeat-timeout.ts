/**
 * Blocked child killed after the heartbeat deadline (DESIGN §9, ≤ deadline + 50 ms). A backend
 * process calls `ready()`, sends one heartbeat and blocks its event loop. The figure is the time
 * from the host's last heartbeat instant (the moment the supervisor armed its watchdog, seen
 * through the injected timers) to the `timed_out` lifecycle event, i.e. "deadline + X"; the child
 * is reaped, outside the timing, before the next sample. The floor is the deadline itself as the
 * platform delivers it: a bare `setTimeout(deadline)` in the same process.
 */
import type { Benchmark } from '../harness/types.ts';
import { BLOCKED_ENTRY } from './lib/temp-extensions.ts';

/** Heartbeat deadline of the blocked process. */
export const HEARTBEAT_DEADLINE_MS = 300;
/** Allowed lateness past the deadline (DESIGN §9). */
export const HEARTBEAT_SLACK_MS = 50;
/** Startup deadline, far from the heartbeat one so the timer spy can tell them apart. */
const STARTUP_DEADLINE_MS = 10_000;

/** The benchmark. */
export const heartbeatTimeout: Benchmark = {
  name: 'heartbeat-timeout',
  title: `blocked child killed after a ${HEARTBEAT_DEADLINE_MS} ms heartbeat deadline`,
  unit: 'ms',
  floor: {
    label: `the deadline itself: bare setTimeout(${HEARTBEAT_DEADLINE_MS}) in the same process`,
    open: async () => ({
      sample: () =>
        new Promise<number>((resolve) => {
          const t0 = performance.now();
          setTimeout(() => resolve(performance.now() - t0), HEARTBEAT_DEADLINE_MS);
        }),
      close: async () => {},
    }),
  },
  figure: {
    label:
      'last heartbeat (watchdog armed) → timed_out lifecycle event, ProcessService, process mode',
    open: async (ctx) => {
      const { withDeadline } = await import('../harness/deadline.ts');
      const { openBackendRig } = await import('./lib/backend-rig.ts');
      const { waitGone } = await import('./lib/reap.ts');
      const { realTimers } = await import('./lib/bun-host.ts');
      let armedAt: number | undefined;
      let arms = 0;
      const rig = openBackendRig({
        mode: 'process',
        entries: { 'blocked.js': BLOCKED_ENTRY },
        log: ctx.log,
        service: {
          timers: {
            now: realTimers.now,
            clearTimeout: realTimers.clearTimeout,
            setTimeout(callback, ms) {
              if (ms === HEARTBEAT_DEADLINE_MS) {
                armedAt = performance.now();
                arms += 1;
              }
              return realTimers.setTimeout(callback, ms);
            },
          },
        },
      });
      let reported = false;
      return {
        async sample() {
          armedAt = undefined;
          arms = 0;
          let onTimedOut: (at: number) => void = () => {};
          const timedOut = new Promise<number>((resolve) => {
            onTimedOut = resolve;
          });
          let processId: string | undefined;
          rig.onLifecycle((event, at) => {
            if (event.processId === processId && event.state === 'timed_out') onTimedOut(at);
            if (processId === undefined && event.state === 'timed_out') onTimedOut(at);
          });
          const info = await rig.spawn('blocked.js', {
            heartbeatTimeoutMs: HEARTBEAT_DEADLINE_MS,
            startupTimeoutMs: STARTUP_DEADLINE_MS,
          });
          processId = info.processId;
          const pid = rig.service.backend.pidOf(info.processId);
          const at = await withDeadline(timedOut, 10 * HEARTBEAT_DEADLINE_MS, 'timed_out event');
          rig.onLifecycle(undefined);
          if (armedAt === undefined) throw new Error('the heartbeat watchdog was never armed');
          const ms = at - armedAt;
          if (!reported) {
            reported = true;
            ctx.log(`heartbeat-timeout: watchdog armed ${arms}× (ready + heartbeat = 2)`);
          }
          if (pid !== undefined) {
            await waitGone([pid], 5_000, 'timed-out child');
            rig.pids.delete(pid);
          }
          return ms;
        },
        close: () => rig.close(),
      };
    },
  },
  target: [
    { stat: 'median', relation: 'at-most', value: HEARTBEAT_DEADLINE_MS + HEARTBEAT_SLACK_MS },
    { stat: 'p99', relation: 'at-most', value: HEARTBEAT_DEADLINE_MS + HEARTBEAT_SLACK_MS },
  ],
  rounds: { warmup: 2, measured: 30, quick: 5 },
};
