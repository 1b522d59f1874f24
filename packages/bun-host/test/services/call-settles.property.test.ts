/**
 * `callService` on fake timers: whatever a method does (answers late, throws, rejects, never
 * answers) and whenever the runtime goes away, every call settles exactly once, with the
 * outcome the rules give: the method's result or error, `SERVICE_TIMEOUT` at the deadline, or
 * the abort reason when the runtime stops first. No timer is left behind.
 */
import { SpindleError } from '@spindle/types';
import fc from 'fast-check';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { callService, type ServiceCaller, ServiceRegistry } from '../../src/services/index.ts';

const timers = {
  setTimeout: (fn: () => void, ms: number) => setTimeout(fn, ms),
  clearTimeout: (handle: unknown) => clearTimeout(handle as ReturnType<typeof setTimeout>),
  now: () => Date.now(),
};

const caller: ServiceCaller = {
  extensionId: 'demo',
  manifest: {
    version: '1',
    name: 'demo',
    identifier: 'demo',
    author: '',
    github: '',
    homepage: '',
    permissions: [],
  },
  scope: { kind: 'operator' },
  grantedPermissions: () => [],
  onScopeMismatch: () => {},
  onDenied: () => {},
};

const TIMEOUT_MS = 1_000;

type Behaviour =
  | { kind: 'resolve'; after: number }
  | { kind: 'reject'; after: number }
  | { kind: 'throw' }
  | { kind: 'never' };

const behaviourArb: fc.Arbitrary<Behaviour> = fc.oneof(
  fc.record({ kind: fc.constant('resolve' as const), after: fc.integer({ min: 0, max: 1_500 }) }),
  fc.record({ kind: fc.constant('reject' as const), after: fc.integer({ min: 0, max: 1_500 }) }),
  fc.record({ kind: fc.constant('throw' as const) }),
  fc.record({ kind: fc.constant('never' as const) }),
);

beforeEach(() => vi.useFakeTimers());
afterEach(() => vi.useRealTimers());

describe('callService settles every call exactly once', () => {
  it('across random behaviours, deadlines and a runtime that stops midway', async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(behaviourArb, { minLength: 1, maxLength: 1_000 }),
        fc.option(fc.integer({ min: 0, max: 1_500 }), { nil: undefined }),
        async (behaviours, stopAt) => {
          const registry = new ServiceRegistry();
          registry.register(
            'svc',
            {
              run: (_call, i: number) => {
                const b = behaviours[i] as Behaviour;
                if (b.kind === 'throw') throw new SpindleError('FORBIDDEN', `no ${i}`);
                if (b.kind === 'never') return new Promise(() => {});
                return new Promise((resolve, reject) =>
                  setTimeout(
                    () => (b.kind === 'resolve' ? resolve(i) : reject(new Error(`late ${i}`))),
                    b.after,
                  ),
                );
              },
            },
            { timeoutMs: TIMEOUT_MS },
          );
          const runtime = new AbortController();
          const settled = new Array<number>(behaviours.length).fill(0);
          const outcomes: unknown[] = [];
          const calls = behaviours.map((_, i) =>
            callService(
              registry,
              caller,
              { namespace: 'svc', method: 'run', args: [i] },
              timers,
              runtime.signal,
            ).then(
              (value) => {
                settled[i] = (settled[i] ?? 0) + 1;
                outcomes[i] = value;
              },
              (error: SpindleError) => {
                settled[i] = (settled[i] ?? 0) + 1;
                outcomes[i] = error.code;
              },
            ),
          );
          if (stopAt !== undefined) {
            setTimeout(
              () => runtime.abort(new SpindleError('EXTENSION_UNLOADED', 'runtime stopped')),
              stopAt,
            );
          }
          await vi.advanceTimersByTimeAsync(2_000);
          await Promise.all(calls);
          expect(settled.every((n) => n === 1)).toBe(true);
          behaviours.forEach((b, i) => {
            const stopped = stopAt !== undefined && stopAt < TIMEOUT_MS;
            const expected =
              b.kind === 'throw'
                ? 'FORBIDDEN'
                : b.kind !== 'never' && b.after < TIMEOUT_MS && (!stopped || b.after < stopAt)
                  ? b.kind === 'resolve'
                    ? i
                    : 'SERVICE_ERROR'
                  : stopped
                    ? 'EXTENSION_UNLOADED'
                    : 'SERVICE_TIMEOUT';
            // A method and the deadline (or the stop) due in the same millisecond may go either way.
            const tie =
              b.kind !== 'never' &&
              b.kind !== 'throw' &&
              (b.after === TIMEOUT_MS || b.after === stopAt);
            if (!tie) expect(outcomes[i]).toEqual(expected);
          });
          expect(vi.getTimerCount()).toBe(0);
        },
      ),
      { numRuns: 40 },
    );
  });
});
