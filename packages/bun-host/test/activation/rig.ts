/**
 * A rig for the activation unit tests: real `ExtensionController`s over fake runtimes, the real
 * `ActivationManager` and `ActivationInbox`, wired as the host wires them, on vitest's fake clock.
 */
import type { HostToWorker } from '@spindle/types';
import { vi } from 'vitest';
import { ActivationInbox } from '../../src/activation/inbox.ts';
import { ActivationManager } from '../../src/activation/manager.ts';
import type { ActivationSettings } from '../../src/activation/types.ts';
import { ExtensionController, type RuntimeExitEvent } from '../../src/runtime/controller.ts';
import type { Timers } from '../../src/runtime/types.ts';
import { FakeRuntime } from '../runtime/fake-runtime.ts';

/** The fake clock as `Timers` (vitest fakes `setTimeout` and `Date`). */
export const fakeClock: Timers = {
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

/** Lifecycle deadlines of the rig. */
export const RIG_TIMING = {
  readyTimeoutMs: 1000,
  shutdownTimeoutMs: 500,
  killGraceMs: 200,
  unloadTimeoutMs: 300,
  baseDelayMs: 50,
};

/** One extension of the rig. */
export interface RigUnit {
  id: string;
  controller: ExtensionController;
  inbox: ActivationInbox<number>;
  runtimes: FakeRuntime[];
  delivered: number[];
  refused: number[];
  exits: RuntimeExitEvent[];
  busy: boolean;
  /** How the next runtime answers `init`: ready after `startMs`, or fail. */
  startMs: number;
  failNextStart: boolean;
}

/** The rig: units, the manager, and the highest number of live runtimes seen. */
export interface Rig {
  manager: ActivationManager;
  units: Map<string, RigUnit>;
  live(): number;
  maxLive: number;
  /** Sends message `n` to `id` the way the host routes a frontend message. */
  send(id: string, n: number): void;
  close(): Promise<void>;
}

/** Builds a rig of `ids` with `settings`; every unit is `hibernated` (lazy) until a need. */
export function createRig(ids: string[], settings: ActivationSettings): Rig {
  const manager = new ActivationManager({ settings, timers: fakeClock });
  const units = new Map<string, RigUnit>();
  let live = 0;
  const rig: Rig = {
    manager,
    units,
    live: () => live,
    maxLive: 0,
    send(id, n) {
      units.get(id)?.inbox.offer(n);
    },
    async close() {
      manager.close();
      await Promise.all([...units.values()].map((u) => u.controller.close()));
    },
  };
  for (const id of ids) {
    const unit = {
      id,
      runtimes: [],
      delivered: [],
      refused: [],
      exits: [],
      busy: false,
      startMs: 10,
      failNextStart: false,
    } as unknown as RigUnit;
    unit.controller = new ExtensionController({
      extensionId: id,
      async launch() {
        const runtime = new FakeRuntime(1000 + unit.runtimes.length);
        const fail = unit.failNextStart;
        unit.failNextStart = false;
        runtime.onInit = (rt) => {
          setTimeout(() => {
            if (fail) {
              rt.emit({ type: 'init_failed', error: { name: 'Error', message: 'boom' } });
              rt.exit({ code: 1, signal: null });
            } else rt.emit({ type: 'ready' });
          }, unit.startMs);
        };
        unit.runtimes.push(runtime);
        live += 1;
        rig.maxLive = Math.max(rig.maxLive, live);
        void runtime.exited.then(() => {
          live -= 1;
        });
        return runtime;
      },
      buildInit: () => ({ type: 'init' }) as unknown as HostToWorker,
      onMessage: () => {},
      unloadProcesses: async () => {},
      onStateChange: (change) => {
        unit.inbox.stateChanged(change.state);
        manager.reevaluate(id);
      },
      onExit: (event) => unit.exits.push(event),
      onLog: () => {},
      timing: RIG_TIMING,
      timers: fakeClock,
    });
    unit.inbox = new ActivationInbox<number>({
      limit: 8,
      state: () => unit.controller.state,
      deliver: (n) => {
        unit.delivered.push(n);
        manager.touch(id);
      },
      need: () => {
        manager.ensure(id, 'message').catch((error: Error) => unit.inbox.needFailed(error.message));
      },
      refuse: (items) => unit.refused.push(...items),
    });
    manager.add(
      {
        id,
        state: () => unit.controller.state,
        start: () => unit.controller.wake(),
        enable: () => unit.controller.enable(),
        enableDormant: () => unit.controller.enableDormant(),
        hibernate: (reason) => unit.controller.hibernate(reason),
        busy: () => unit.busy,
      },
      { activation: 'lazy' },
    );
    units.set(id, unit);
  }
  return rig;
}

/** Lets every pending promise and due timer run (fake clock). */
export async function settle(ms = 0): Promise<void> {
  await vi.advanceTimersByTimeAsync(ms);
}
