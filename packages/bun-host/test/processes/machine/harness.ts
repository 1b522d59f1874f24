/** Test harness: a `ProcessMachine` on vitest's fake timers with a recording driver. */
import { vi } from 'vitest';
import {
  type ProcessDriver,
  type ProcessLifecycleEvent,
  ProcessMachine,
  type ProcessMachineOptions,
  type SupervisorTimers,
} from '../../../src/processes/machine/index.ts';

/** Timers that resolve the globals on every call, so `vi.useFakeTimers()` reaches them. */
export const globalTimers: SupervisorTimers = {
  now: () => Date.now(),
  setTimeout: (callback, ms) => setTimeout(callback, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/** Records what the machine asked of the physical process. */
export interface RecordingDriver extends ProcessDriver {
  stops: Array<string | undefined>;
  kills: number;
  disposals: number;
}

/** A machine, its events, its driver and the settlement of its spawn promise. */
export interface Harness {
  machine: ProcessMachine;
  events: ProcessLifecycleEvent[];
  driver: RecordingDriver;
  settlement: { kind: 'pending' | 'resolved' | 'rejected'; count: number; error?: unknown };
}

/** Builds and starts a machine (startup 1000 ms, heartbeat 500 ms, grace 200 ms, settle 20 ms). */
export function startMachine(overrides: Partial<ProcessMachineOptions> = {}): Harness {
  const events: ProcessLifecycleEvent[] = [];
  const driver: RecordingDriver = {
    stops: [],
    kills: 0,
    disposals: 0,
    requestStop(reason) {
      this.stops.push(reason);
    },
    kill() {
      this.kills += 1;
    },
    dispose() {
      this.disposals += 1;
    },
  };
  const machine = new ProcessMachine({
    processId: 'p-1',
    kind: 'worker',
    key: 'k',
    userId: 'u1',
    startupTimeoutMs: 1000,
    heartbeatTimeoutMs: 500,
    stopGraceMs: 200,
    exitSettleMs: 20,
    timers: globalTimers,
    onLifecycle: (event) => events.push(event),
    ...overrides,
  });
  const settlement: Harness['settlement'] = { kind: 'pending', count: 0 };
  machine.spawned.then(
    () => {
      settlement.kind = 'resolved';
      settlement.count += 1;
    },
    (error: unknown) => {
      settlement.kind = 'rejected';
      settlement.count += 1;
      settlement.error = error;
    },
  );
  machine.start(() => driver);
  return { machine, events, driver, settlement };
}

/** Lets promise callbacks run. */
export async function flush(): Promise<void> {
  for (let i = 0; i < 5; i += 1) await Promise.resolve();
}

/** States of the recorded events, in order. */
export function states(events: ProcessLifecycleEvent[]): string[] {
  return events.map((event) => event.state);
}

/** Installs fake timers for a test file. */
export function useFakeClock(): void {
  vi.useFakeTimers({ now: new Date('2026-01-01T00:00:00.000Z') });
}
