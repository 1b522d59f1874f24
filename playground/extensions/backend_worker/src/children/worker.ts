import type { SpindleBackendProcessContext } from '@spindle/types';

/**
 * A backend subprocess counting primes in slices, reporting progress, heartbeating between
 * slices. `freeze` blocks its event loop for good: only the host's watchdog can end it.
 */
export default function run(ctx: SpindleBackendProcessContext) {
  const limit = Number((ctx.payload as { limit?: number })?.limit ?? 3_000_000);
  let next = 2;
  let found = 0;
  let stopped = false;

  const isPrime = (n: number) => {
    if (n < 4) return n > 1;
    if (n % 2 === 0) return false;
    for (let d = 3; d * d <= n; d += 2) if (n % d === 0) return false;
    return true;
  };

  const slice = () => {
    if (stopped) return;
    const end = Math.min(limit, next + 50_000);
    for (; next <= end; next++) if (isPrime(next)) found++;
    ctx.heartbeat();
    ctx.send({ kind: 'progress', done: next - 1, limit, found });
    if (next > limit) {
      ctx.complete({ found });
      return;
    }
    setTimeout(slice, 20);
  };

  ctx.onMessage((payload) => {
    if ((payload as { cmd?: string })?.cmd === 'freeze') {
      ctx.send({ kind: 'frozen' });
      // Deliberately block the event loop: no heartbeat, no IPC, no stop handling.
      setTimeout(() => {
        while (true) {}
      }, 10);
    }
  });
  ctx.onStop(() => {
    stopped = true;
    ctx.complete({ found, partial: true });
  });
  ctx.ready();
  setTimeout(slice, 0);
  return () => {
    stopped = true;
  };
}
