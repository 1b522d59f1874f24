/**
 * Leak rows: one host measured before and after a churn, not interleaved. The floor's samples
 * are the readings before, the figure's the readings after (each a few readings after a full
 * GC), and the target is a fixed band of growth. Resident memory and open descriptors are two
 * rows because a row has one unit; each runs its own churn in its own process. Safe to import
 * anywhere: what needs Bun is loaded inside `open`.
 */
import type { Benchmark, MeasureContext, Sampler } from '../../harness/types.ts';

/** The host's readings before and after one churn, taken when a side first asks for them. */
export interface BeforeAfterSession {
  before(): Promise<number[]>;
  after(): Promise<number[]>;
  close(): Promise<void>;
}

/** What a leak row reads, and how it describes what it read (for the log). */
export interface LeakProbe {
  read: () => number;
  describe: () => string;
}

/** The two leak probes: host RSS (MiB) and the host's open descriptors. */
export const LEAK_PROBES = {
  rss: async (): Promise<LeakProbe> => ({
    read: (await import('./procfs.ts')).selfRssMiB,
    describe: () => '',
  }),
  fds: async (): Promise<LeakProbe> => {
    const { fdTargets, openFdCount } = await import('./procfs.ts');
    return { read: openFdCount, describe: () => fdTargets().join(' ') };
  },
} as const;

/** One leak row. */
export interface BeforeAfterSpec {
  name: string;
  title: string;
  unit: 'MB' | 'fd';
  /** Allowed growth, in `unit`. */
  band: number;
  floorLabel: string;
  figureLabel: string;
  timeoutMs: number;
  /** Opens the session for `probe`; the churn runs when a side first asks for its readings. */
  open(ctx: MeasureContext, probe: LeakProbe): Promise<BeforeAfterSession>;
  probe: () => Promise<LeakProbe>;
}

/** A before/after row: the floor opens the session, the figure reads its other half. */
export function beforeAfterBenchmark(spec: BeforeAfterSpec): Benchmark {
  let session: BeforeAfterSession | undefined;
  return {
    name: spec.name,
    title: spec.title,
    unit: spec.unit,
    floor: {
      label: spec.floorLabel,
      open: async (ctx): Promise<Sampler> => {
        const opened = await spec.open(ctx, await spec.probe());
        session = opened;
        return { sample: () => opened.before(), close: () => opened.close() };
      },
    },
    figure: {
      label: spec.figureLabel,
      open: async () => {
        const opened = session;
        if (!opened) throw new Error(`${spec.name}: the floor was not opened`);
        return { sample: () => opened.after(), close: async () => {} };
      },
    },
    target: [{ stat: 'median', relation: 'at-most', plus: spec.band }],
    // One shot (with --quick, the discarded warm-up round is a whole churn of its own).
    rounds: { warmup: 0, measured: 1, quick: 1 },
    timeoutMs: spec.timeoutMs,
  };
}
