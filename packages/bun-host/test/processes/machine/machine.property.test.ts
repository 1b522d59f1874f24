import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { canTransition, isTerminalState } from '../../../src/processes/machine/index.ts';
import { flush, type Harness, startMachine, useFakeClock } from './harness.ts';

type Command =
  | { t: 'ready' | 'heartbeat' | 'complete' | 'stoppedMsg' | 'msgFrom' | 'msgTo' }
  | { t: 'fail' }
  | { t: 'exit'; code: number; withTerminal: 'none' | 'before' | 'after' }
  | { t: 'stop' | 'replace' | 'unload' | 'close' | 'disconnect' | 'hold' | 'release' | 'sideLost' }
  | { t: 'advance'; ms: number };

const command: fc.Arbitrary<Command> = fc.oneof(
  fc.constantFrom(
    ...(['ready', 'heartbeat', 'complete', 'stoppedMsg', 'msgFrom', 'msgTo', 'fail'] as const).map(
      (t) => ({ t }) as Command,
    ),
  ),
  fc.record({
    t: fc.constant('exit' as const),
    code: fc.integer({ min: 0, max: 3 }),
    withTerminal: fc.constantFrom('none' as const, 'before' as const, 'after' as const),
  }),
  fc.constantFrom(
    ...(
      ['stop', 'replace', 'unload', 'close', 'disconnect', 'hold', 'release', 'sideLost'] as const
    ).map((t) => ({ t }) as Command),
  ),
  fc.record({ t: fc.constant('advance' as const), ms: fc.integer({ min: 0, max: 1500 }) }),
);

function apply(h: Harness, cmd: Command): void {
  const m = h.machine;
  switch (cmd.t) {
    case 'ready':
      m.ready();
      return;
    case 'heartbeat':
      m.heartbeat();
      return;
    case 'complete':
      m.complete();
      return;
    case 'stoppedMsg':
      m.stopped();
      return;
    case 'msgFrom':
      m.acceptFromProcess();
      return;
    case 'msgTo':
      m.acceptToProcess();
      return;
    case 'fail':
      m.fail('boom');
      return;
    case 'exit':
      if (cmd.withTerminal === 'before') m.complete();
      m.exited({ exitCode: cmd.code });
      // the race: the terminal message arrives a few ms after the exit event
      if (cmd.withTerminal === 'after') {
        vi.advanceTimersByTime(5);
        m.complete();
      }
      return;
    case 'stop':
      void m.stop({ reason: 'test' });
      return;
    case 'replace':
      void m.stop({ exitReason: 'replaced' });
      return;
    case 'unload':
      void m.stop({ exitReason: 'backend_unloaded' });
      return;
    case 'close':
      void m.terminate('backend_unloaded', 'HOST_CLOSING');
      return;
    case 'disconnect':
      m.transportLost('channel closed');
      return;
    case 'hold':
      m.holdHeartbeat();
      return;
    case 'release':
      m.releaseHeartbeat();
      return;
    case 'sideLost':
      m.fail('frontend session gone', 'frontend_unloaded');
      return;
    case 'advance':
      vi.advanceTimersByTime(cmd.ms);
      return;
  }
}

describe('supervisor machine invariants (property)', () => {
  beforeEach(useFakeClock);
  afterEach(() => vi.useRealTimers());

  it('any sequence: one terminal state, one settlement, one kill at most, no late event, no timer', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(command, { maxLength: 25 }),
        fc.integer({ min: 0, max: 600 }),
        fc.integer({ min: 0, max: 30 }),
        async (commands, heartbeatTimeoutMs, exitSettleMs) => {
          const h = startMachine({ heartbeatTimeoutMs, exitSettleMs });
          let terminalSeenAt = -1;
          for (const cmd of commands) {
            apply(h, cmd);
            if (terminalSeenAt < 0 && h.machine.isTerminal) terminalSeenAt = h.events.length;
            if (terminalSeenAt >= 0) expect(h.events.length).toBe(terminalSeenAt);
          }
          // Whatever happened, the deadlines end every process eventually; with the watchdog
          // off (0) or held, the host closing does.
          vi.advanceTimersByTime(5_000);
          void h.machine.terminate('backend_unloaded', 'HOST_CLOSING');
          await flush();

          expect(h.machine.isTerminal).toBe(true);
          const terminalEvents = h.events.filter((e) => isTerminalState(e.state));
          expect(terminalEvents).toHaveLength(1);
          expect(isTerminalState(h.events.at(-1)?.state ?? 'starting')).toBe(true);
          expect(h.events[0]?.state).toBe('starting');
          for (let i = 1; i < h.events.length; i += 1) {
            const prev = h.events[i - 1];
            const cur = h.events[i];
            expect(cur?.previousState).toBe(prev?.state);
            expect(canTransition(prev?.state ?? 'starting', cur?.state ?? 'starting')).toBe(true);
          }
          expect(h.settlement.count).toBe(1);
          expect(h.settlement.kind === 'resolved').toBe(
            h.events.some((e) => e.state === 'running'),
          );
          expect(h.driver.kills).toBeLessThanOrEqual(1);
          expect(h.driver.disposals).toBe(1);
          expect(h.driver.stops.length).toBeLessThanOrEqual(1);
          expect(vi.getTimerCount()).toBe(0);
          const info = h.machine.info();
          expect(info.endedAt).toBeDefined();
          expect(info.exitReason).toBe(terminalEvents[0]?.exitReason);

          // Nothing after the end changes anything.
          const before = h.events.length;
          for (const cmd of commands) apply(h, cmd);
          vi.advanceTimersByTime(5_000);
          expect(h.events).toHaveLength(before);
          expect(h.driver.kills).toBeLessThanOrEqual(1);
          expect(h.driver.disposals).toBe(1);
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 400 },
    );
  });

  it('a terminal message racing the exit is never reported failed', () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 50 }),
        fc.integer({ min: 0, max: 3 }),
        (settle, code) => {
          const h = startMachine({ exitSettleMs: settle });
          h.machine.ready();
          h.machine.exited({ exitCode: code });
          vi.advanceTimersByTime(settle - 1);
          h.machine.complete();
          expect(h.machine.info()).toMatchObject({ state: 'completed', exitReason: 'completed' });
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
    );
  });
});
