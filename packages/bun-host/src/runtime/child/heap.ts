/**
 * The JavaScript heap of a worker runtime, which the host cannot read from /proc (the worker
 * shares its process): the bootstrap takes JSC's reader before any extension code runs and
 * reports the figure with every answer to a ping. JSC updates it at its collections.
 */

/** Reads this VM's heap in bytes; `undefined` where Bun's `bun:jsc` is not available. */
export function heapReader(): (() => number) | undefined {
  try {
    const { heapStats } = require('bun:jsc') as typeof import('bun:jsc');
    return () => {
      const stats = heapStats();
      return Math.max(stats.heapSize, stats.heapCapacity);
    };
  } catch {
    return undefined;
  }
}
