/**
 * Admission of unauthenticated connections and the backoff of failed sign-ins, on a fake clock.
 */
import { describe, expect, it } from 'vitest';
import { ConnectionAdmission } from '../../src/server/admission.ts';

function admission(limits: ConstructorParameters<typeof ConnectionAdmission>[0] = {}) {
  let now = 1_000_000;
  const a = new ConnectionAdmission(
    { authBackoffBaseMs: 1000, authBackoffMaxMs: 8000, authFailuresFree: 2, ...limits },
    () => now,
  );
  return {
    a,
    advance(ms: number) {
      now += ms;
    },
  };
}

describe('ConnectionAdmission: unauthenticated connections', () => {
  it('caps them per address; other addresses still get in; a handshake frees the slot', () => {
    const { a } = admission({ maxPendingPerAddress: 2 });
    const first = a.admit('10.0.0.1');
    const second = a.admit('10.0.0.1');
    expect(first.ok && second.ok).toBe(true);
    const third = a.admit('10.0.0.1');
    expect(third).toMatchObject({
      ok: false,
      refusal: { status: 503, reason: expect.stringMatching(/maxPendingPerAddress 2/) },
    });
    expect(a.admit('10.0.0.2').ok).toBe(true);
    if (first.ok) first.ticket.authenticated();
    expect(a.admit('10.0.0.1').ok).toBe(true);
    expect(a.counters.pendingRefusals).toBe(1);
  });

  it('caps them in total, and release is idempotent (after a handshake too)', () => {
    const { a } = admission({ maxPending: 2 });
    const x = a.admit('a');
    const y = a.admit('b');
    expect(a.admit('c')).toMatchObject({ ok: false, refusal: { reason: /maxPending 2/ } });
    if (!x.ok || !y.ok) throw new Error('admitted');
    x.ticket.authenticated();
    x.ticket.release();
    x.ticket.release();
    expect(a.pending).toBe(1);
    y.ticket.release();
    y.ticket.release();
    expect(a.pending).toBe(0);
  });
});

describe('ConnectionAdmission: failed sign-ins', () => {
  it('lets a few through, then backs off exponentially up to the cap, with Retry-After', () => {
    const { a, advance } = admission();
    a.authFailed('x');
    a.authFailed('x');
    expect(a.backoff('x')).toBeUndefined();
    a.authFailed('x'); // third: 1 s
    expect(a.backoff('x')).toMatchObject({ status: 429, retryAfterS: 1 });
    expect(a.admit('x')).toMatchObject({ ok: false, refusal: { status: 429 } });
    advance(1000);
    expect(a.backoff('x')).toBeUndefined();
    a.authFailed('x'); // 2 s
    expect(a.backoff('x')?.retryAfterS).toBe(2);
    advance(2000);
    a.authFailed('x'); // 4 s
    advance(4000);
    a.authFailed('x'); // 8 s
    advance(8000);
    a.authFailed('x'); // capped at 8 s
    expect(a.backoff('x')?.retryAfterS).toBe(8);
    expect(a.backoff('y')).toBeUndefined();
    expect(a.counters.authFailures).toBe(7);
    expect(a.counters.backoffRefusals).toBe(4);
  });

  it('forgets an address after a quiet period', () => {
    const { a, advance } = admission({ authFailureForgetMs: 60_000 });
    for (let i = 0; i < 3; i++) a.authFailed('x');
    advance(60_000);
    a.authFailed('x');
    expect(a.backoff('x')).toBeUndefined(); // counting started over
  });

  it('remembers at most maxTrackedAddresses addresses, dropping the quietest', () => {
    const { a, advance } = admission({ maxTrackedAddresses: 2, authFailuresFree: 0 });
    a.authFailed('old');
    advance(1);
    a.authFailed('mid');
    advance(1);
    a.authFailed('new');
    expect(a.backoff('old')).toBeUndefined();
    expect(a.backoff('mid')).toBeDefined();
    expect(a.backoff('new')).toBeDefined();
  });
});
