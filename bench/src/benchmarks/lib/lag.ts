/**
 * Event-loop lag probe: a 10 ms timer that measures its own lateness, re-armed after each tick
 * (a chain of `setTimeout`, so one late tick does not make the next ones look late too).
 */

/** Period of the probe. */
export const LAG_INTERVAL_MS = 10;

/** Lateness of one tick: how long after its due time it ran, never negative (early ticks are 0). */
export function lateness(armedAt: number, firedAt: number, intervalMs: number): number {
  return Math.max(0, firedAt - armedAt - intervalMs);
}

/** How many ticks fit in `durationMs` (at least one). */
export function tickCount(durationMs: number, intervalMs: number): number {
  return Math.max(1, Math.floor(durationMs / intervalMs));
}

/** Runs the probe for about `durationMs`; resolves with the lateness of every tick, in ms. */
export function measureLag(durationMs: number, intervalMs = LAG_INTERVAL_MS): Promise<number[]> {
  const ticks = tickCount(durationMs, intervalMs);
  const out: number[] = [];
  return new Promise((resolve) => {
    const arm = () => {
      const armedAt = performance.now();
      setTimeout(() => {
        out.push(lateness(armedAt, performance.now(), intervalMs));
        if (out.length < ticks) arm();
        else resolve(out);
      }, intervalMs);
    };
    arm();
  });
}
