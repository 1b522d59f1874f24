/**
 * App service call round trip per runtime mode (issue 19): runtime → host service → runtime,
 * next to the raw IPC echo floor (parent ↔ Bun child) in the same run. Figure: a real
 * `createSpindleHost` with a registered `bench` service (`echo` answers its argument) and one
 * extension whose backend times `await spindle.bench.echo({ text: 'ping' })` one call at a time,
 * 100 per sample, with the runtime's own clock (the mirror of the floor, which times from the
 * parent). The run is started by an app event and the timings come back through a second
 * service method, outside the timing. Target ≤ 1.5× median, p99 ≤ 3×.
 */
import { openIpcEcho } from '../floors/ipc.ts';
import { withDeadline } from '../harness/deadline.ts';
import { SPLIT_PLACEMENT_NOTE } from '../harness/placement.ts';
import type { Benchmark, MeasureContext, Sampler } from '../harness/types.ts';

/** Calls per sample, as the floor's round trips per sample. */
const BATCH = 100;

/** Backend of the benchmark extension: runs a batch of timed calls on `BENCH_RUN`. */
const CALLER_BACKEND = `// Service-call benchmark: times each call with the runtime's clock.
spindle.on('BENCH_RUN', async (payload) => {
  const times = [];
  for (let i = 0; i < payload.n; i++) {
    const t0 = performance.now();
    await spindle.bench.echo({ text: 'ping', i });
    times.push(performance.now() - t0);
  }
  await spindle.bench.report(times);
});
`;

async function openServiceFigure(
  ctx: MeasureContext,
  mode: 'process' | 'sandbox' | 'worker',
): Promise<Sampler> {
  const { createSpindleHost, ServiceRegistry } = await import('./lib/bun-host.ts');
  const { createTempExtensions } = await import('./lib/temp-extensions.ts');
  const { liveDescendants } = await import('./lib/procfs.ts');
  const { BENCH_USER } = await import('./lib/bare-children.ts');
  const before = new Set(liveDescendants(process.pid));
  const temp = createTempExtensions(1, { 'backend.js': CALLER_BACKEND });
  const id = temp.identifiers[0]!;
  let deliver: (times: number[]) => void = () => {};
  const services = new ServiceRegistry();
  services.register('bench', {
    echo: (_call: unknown, value: unknown) => value,
    report: (_call: unknown, times: number[]) => {
      deliver(times);
      return true;
    },
  });
  let host: Awaited<ReturnType<typeof createSpindleHost>>;
  try {
    host = await createSpindleHost({
      extensionsDir: temp.extensionsDir,
      dataDir: temp.dataDir,
      runtimeMode: mode,
      enable: [id],
      services,
      // On a root machine the runtime runs as the benchmark user, as a real host's would.
      ...(BENCH_USER ? { runtimeUser: BENCH_USER.name } : {}),
      logger: (entry) => {
        if (entry.level !== 'info') ctx.log(`[host ${entry.level}] ${entry.message}`);
      },
    });
  } catch (error) {
    temp.remove();
    throw error;
  }
  if (host.get(id)?.state !== 'running') {
    await host.close();
    temp.remove();
    throw new Error(`the benchmark extension is ${host.get(id)?.state}`);
  }
  const n = ctx.quick ? 20 : BATCH;
  return {
    async sample() {
      const batch = new Promise<number[]>((resolve) => {
        deliver = resolve;
      });
      services.emit('BENCH_RUN', { n });
      return withDeadline(batch, 30_000, 'a batch of service calls');
    },
    async close() {
      await host.close();
      temp.remove();
      const left = liveDescendants(process.pid).filter((pid) => !before.has(pid));
      if (left.length > 0)
        throw new Error(`runtime processes survived the host: ${left.join(', ')}`);
    },
  };
}

const floor = {
  label: `raw IPC echo round trip (Bun parent ↔ Bun child, JSON; ${SPLIT_PLACEMENT_NOTE})`,
  open: (ctx: MeasureContext) => openIpcEcho(ctx.bunPath, ctx.quick ? 20 : BATCH),
};
const target = [
  { stat: 'median' as const, relation: 'at-most' as const, times: 1.5 },
  { stat: 'p99' as const, relation: 'at-most' as const, times: 3 },
];

function serviceCall(mode: 'process' | 'sandbox' | 'worker'): Benchmark {
  return {
    name: `service-call-round-trip-${mode}`,
    title: `app service call round trip (${mode} mode)`,
    unit: 'ms',
    floor,
    figure: {
      label: `runtime → spindle.bench.echo → runtime, ${mode} mode (${SPLIT_PLACEMENT_NOTE})`,
      open: (ctx) => openServiceFigure(ctx, mode),
    },
    target,
    placement: 'split',
  };
}

/** One per runtime mode. */
export const serviceCallProcess = serviceCall('process');
export const serviceCallSandbox = serviceCall('sandbox');
export const serviceCallWorker = serviceCall('worker');
