import type { HostToWorker, WorkerToHost } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { ExtensionController, type RuntimeExitEvent } from '../../src/runtime/controller.ts';
import type { Timers } from '../../src/runtime/types.ts';
import { FakeRuntime } from './fake-runtime.ts';

const timing = {
  readyTimeoutMs: 1000,
  shutdownTimeoutMs: 500,
  killGraceMs: 200,
  unloadTimeoutMs: 300,
};

const init = { type: 'init' } as unknown as HostToWorker;

const fakeTimers: Timers = {
  setTimeout: (handler, ms) => setTimeout(handler, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

function harness(onInit: (runtime: FakeRuntime) => void = (rt) => rt.emit({ type: 'ready' })) {
  const runtimes: FakeRuntime[] = [];
  const states: string[] = [];
  const exits: RuntimeExitEvent[] = [];
  const messages: WorkerToHost[] = [];
  const logs: string[] = [];
  const order: string[] = [];
  let live = 0;
  let maxLive = 0;
  const h = {
    runtimes,
    states,
    exits,
    messages,
    logs,
    order,
    get maxLive() {
      return maxLive;
    },
    onInit,
    launchGate: undefined as Promise<void> | undefined,
    deliverInitAtLaunch: false,
    controller: undefined as unknown as ExtensionController,
  };
  h.controller = new ExtensionController({
    extensionId: 'demo',
    async launch(launchInit) {
      if (h.launchGate) await h.launchGate;
      const runtime = new FakeRuntime(100 + runtimes.length);
      runtime.launchedWith = launchInit;
      runtime.onInit = h.onInit;
      if (h.deliverInitAtLaunch) {
        runtime.initDelivered = true;
        // The child starts on its own, as a subprocess that found `init` in its environment; its
        // answer arrives as I/O, on a later turn of the loop.
        setTimeout(() => h.onInit(runtime), 0);
      }
      runtimes.push(runtime);
      live += 1;
      maxLive = Math.max(maxLive, live);
      void runtime.exited.then(() => {
        live -= 1;
      });
      return runtime;
    },
    buildInit: () => init,
    onMessage: (message) => messages.push(message),
    unloadProcesses: async () => {
      order.push('unload');
    },
    onStateChange: (change) => states.push(change.state),
    onExit: (event) => exits.push(event),
    onLog: (level, message) => logs.push(`${level}: ${message}`),
    timing,
    timers: fakeTimers,
  });
  return h;
}

/**
 * `vi.advanceTimersByTimeAsync`; `bun test` (which also collects this file) lacks it, so there
 * the clock moves in 1 ms steps with the microtask queue drained after each.
 */
async function advance(ms: number): Promise<void> {
  if (typeof vi.advanceTimersByTimeAsync === 'function') {
    await vi.advanceTimersByTimeAsync(ms);
    return;
  }
  for (let step = 0; step <= ms; step++) {
    if (step > 0) vi.advanceTimersByTime(1);
    for (let i = 0; i < 20; i++) await Promise.resolve();
  }
}

beforeEach(() => {
  vi.useFakeTimers();
});

afterEach(() => {
  vi.useRealTimers();
});

describe('start', () => {
  it('sends init and becomes running on ready, leaving no timer behind', async () => {
    const h = harness();
    await h.controller.enable();
    expect(h.controller.state).toBe('running');
    expect(h.states).toEqual(['starting', 'running']);
    expect(h.runtimes[0]?.sent).toEqual([init]);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('hands init to the launcher, and does not send it again when the launcher delivered it', async () => {
    const h = harness();
    h.deliverInitAtLaunch = true;
    const enabled = h.controller.enable();
    await advance(1);
    await enabled;
    expect(h.controller.state).toBe('running');
    expect(h.runtimes[0]?.launchedWith).toEqual(init);
    expect(h.runtimes[0]?.sent).toEqual([]);
  });

  it('enable is idempotent while running', async () => {
    const h = harness();
    await h.controller.enable();
    await h.controller.enable();
    expect(h.runtimes).toHaveLength(1);
  });

  it('init_failed marks the extension failed with the message and the stderr tail', async () => {
    const h = harness((rt) => {
      rt.emit({
        type: 'init_failed',
        error: { name: 'SyntaxError', message: 'Unexpected token' },
      });
      rt.exit({ code: 1, signal: null });
    });
    await h.controller.enable();
    expect(h.controller.state).toBe('failed');
    expect(h.controller.error).toContain('Unexpected token');
    expect(h.controller.error).toContain('last stderr line');
    expect(h.exits.map((e) => e.reason)).toEqual(['import_failed']);
    expect(h.controller.runtime).toBeNull();
  });

  it('no ready within the deadline: killed, failed, reason ready_timeout', async () => {
    const h = harness(() => {});
    const enabled = h.controller.enable();
    await advance(999);
    expect(h.controller.state).toBe('starting');
    await advance(1);
    await enabled;
    expect(h.runtimes[0]?.signals).toEqual(['SIGKILL']);
    expect(h.controller.state).toBe('failed');
    expect(h.exits[0]?.reason).toBe('ready_timeout');
    expect(vi.getTimerCount()).toBe(0);
  });

  it('an exit before ready is reported as exited_before_ready', async () => {
    const h = harness((rt) => rt.exit({ code: 7, signal: null }));
    await h.controller.enable();
    expect(h.controller.state).toBe('failed');
    expect(h.controller.error).toContain('exit code 7');
    expect(h.exits[0]).toMatchObject({ reason: 'exited_before_ready', code: 7 });
  });

  it('a launch that throws is reported as launch_failed', async () => {
    const h = harness();
    h.launchGate = Promise.reject(new Error('no bun'));
    await h.controller.enable();
    expect(h.controller.state).toBe('failed');
    expect(h.controller.error).toContain('no bun');
    expect(h.exits[0]?.reason).toBe('launch_failed');
  });
});

describe('messages', () => {
  it('refuses garbage and unknown types with a log line and keeps running', async () => {
    const h = harness();
    await h.controller.enable();
    const rt = h.runtimes[0]!;
    rt.emit({ type: 'nope' });
    rt.emit({ type: 'log', level: 'shout', message: 1 });
    rt.emit('garbage');
    rt.emit({ type: 'log', level: 'info', message: 'fine' });
    expect(h.logs.filter((l) => l.includes('rejected a message'))).toHaveLength(3);
    expect(h.messages).toEqual([{ type: 'log', level: 'info', message: 'fine' }]);
    expect(h.controller.state).toBe('running');
  });
});

describe('stop', () => {
  it('ends processes, then sends shutdown, and reports stopped', async () => {
    const h = harness();
    await h.controller.enable();
    const rt = h.runtimes[0]!;
    const sendShutdown = rt.channel.send;
    rt.channel.send = (message) => {
      if (message.type === 'shutdown') h.order.push('shutdown');
      sendShutdown(message);
    };
    await h.controller.disable();
    expect(h.order).toEqual(['unload', 'shutdown']);
    expect(h.controller.state).toBe('disabled');
    expect(h.exits.map((e) => e.reason)).toEqual(['stopped']);
    expect(rt.signals).toEqual([]);
    expect(rt.closed).toBe(true);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('escalates to SIGTERM after the shutdown deadline and SIGKILL after the grace', async () => {
    const h = harness();
    await h.controller.enable();
    const rt = h.runtimes[0]!;
    rt.onShutdown = 'ignore';
    rt.onSigterm = 'ignore';
    const disabled = h.controller.disable();
    await advance(499);
    expect(rt.signals).toEqual([]);
    await advance(1);
    expect(rt.signals).toEqual(['SIGTERM']);
    await advance(200);
    await disabled;
    expect(rt.signals).toEqual(['SIGTERM', 'SIGKILL']);
    expect(h.exits[0]).toMatchObject({ reason: 'killed', signal: 'SIGKILL' });
    expect(h.controller.state).toBe('disabled');
  });

  it('a process unload that hangs does not hold the stop past its deadline', async () => {
    const h = harness();
    await h.controller.enable();
    const stopped = h.controller.disable();
    await advance(300);
    await stopped;
    expect(h.controller.state).toBe('disabled');
  });
});

describe('crash restart', () => {
  it('restarts after 1 s, then 2 s, and gives up at the third crash', async () => {
    const h = harness();
    await h.controller.enable();
    h.runtimes[0]!.exit({ code: 1, signal: null });
    await advance(0);
    expect(h.controller.state).toBe('restarting');
    expect(h.exits[0]?.reason).toBe('crashed');
    await advance(999);
    expect(h.runtimes).toHaveLength(1);
    await advance(1);
    expect(h.runtimes).toHaveLength(2);
    expect(h.controller.state).toBe('running');

    h.runtimes[1]!.exit({ code: null, signal: 'SIGSEGV' });
    await advance(1999);
    expect(h.runtimes).toHaveLength(2);
    await advance(1);
    expect(h.runtimes).toHaveLength(3);

    h.runtimes[2]!.exit({ code: 1, signal: null });
    await advance(0);
    expect(h.controller.state).toBe('crashed');
    expect(h.controller.error).toContain('3 crashes');
    await advance(5_000);
    expect(h.runtimes).toHaveLength(3);
    expect(vi.getTimerCount()).toBe(0);

    await h.controller.enable();
    expect(h.controller.state).toBe('running');
    expect(h.runtimes).toHaveLength(4);
  });

  it('an exit with code 0 while running is exited_clean and also restarted', async () => {
    const h = harness();
    await h.controller.enable();
    h.runtimes[0]!.exit({ code: 0, signal: null });
    await advance(0);
    expect(h.exits[0]?.reason).toBe('exited_clean');
    expect(h.controller.state).toBe('restarting');
  });

  it('disable while restarting cancels the pending restart', async () => {
    const h = harness();
    await h.controller.enable();
    h.runtimes[0]!.exit({ code: 1, signal: null });
    await advance(0);
    await h.controller.disable();
    expect(h.controller.state).toBe('disabled');
    expect(vi.getTimerCount()).toBe(0);
    await advance(5000);
    expect(h.runtimes).toHaveLength(1);
  });
});

describe('serialization', () => {
  it('concurrent enable/disable/restart never run two runtimes and end in the last request', async () => {
    const h = harness();
    let open!: () => void;
    h.launchGate = new Promise<void>((resolve) => {
      open = resolve;
    });
    const calls = [
      h.controller.enable(),
      h.controller.disable(),
      h.controller.enable(),
      h.controller.restart(),
      h.controller.enable(),
    ];
    open();
    await Promise.all(calls);
    expect(h.maxLive).toBe(1);
    expect(h.controller.state).toBe('running');
    expect(h.runtimes).toHaveLength(3);
    expect(h.exits.map((e) => e.reason)).toEqual(['stopped', 'stopped']);
    expect(h.states).toEqual([
      'starting',
      'running',
      'stopping',
      'disabled',
      'starting',
      'running',
      'stopping',
      'starting',
      'running',
    ]);
  });

  it('close cuts a start that waits for ready short: shutdown, then disabled', async () => {
    const h = harness(() => {});
    const enabled = h.controller.enable();
    await advance(100);
    expect(h.controller.state).toBe('starting');
    await h.controller.close();
    await enabled;
    expect(h.runtimes[0]?.sent.map((m) => m.type)).toEqual(['init', 'shutdown']);
    expect(h.exits.map((e) => e.reason)).toEqual(['stopped']);
    expect(h.states).toEqual(['starting', 'stopping', 'disabled']);
    expect(vi.getTimerCount()).toBe(0);
  });

  it('after close, enable fails with HOST_CLOSING', async () => {
    const h = harness();
    await h.controller.enable();
    await h.controller.close();
    expect(h.controller.state).toBe('disabled');
    await expect(h.controller.enable()).rejects.toMatchObject({ code: 'HOST_CLOSING' });
  });
});
