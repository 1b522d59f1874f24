/**
 * Browser entry of the mount benchmark (bundled with `Bun.build`, target browser): one fresh
 * extension host per page load, with the SDK's defaults (4 lanes, 10 s import deadline,
 * `requestAnimationFrame` yields). `run` loads every bundle at once and reports when the last
 * healthy one was mounted, and the longest `longtask` entry seen until then.
 */
import {
  createExtensionHost,
  createMemoryTransport,
  type ExtensionState,
} from '../../../../packages/frontend-sdk/src/index.ts';
import type { MountRequest, MountResult } from './protocol.ts';

const manifest = (identifier: string) => ({
  version: '1.0.0',
  name: identifier,
  identifier,
  author: 'spindle bench',
  github: 'https://github.com/example/spindle',
  homepage: 'https://example.com',
  permissions: [],
});

/** Waits for one frame and one task, so the observer has delivered entries of past tasks. */
const settleObserver = () =>
  new Promise<void>((resolve) => requestAnimationFrame(() => setTimeout(resolve, 0)));

async function run(request: MountRequest): Promise<MountResult> {
  const longTasks: { start: number; duration: number }[] = [];
  const observer = new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
  });
  observer.observe({ type: 'longtask', buffered: false });
  const { transport } = createMemoryTransport();
  const host = createExtensionHost({ transport });
  const healthy = new Set(request.healthy);
  const states = new Map<string, ExtensionState>();
  let mountedHealthy = 0;
  let done!: (at: number) => void;
  let failed!: (error: Error) => void;
  const allMounted = new Promise<number>((resolve, reject) => {
    done = resolve;
    failed = reject;
  });
  host.events.on('state', (event) => {
    states.set(event.extensionId, event.state);
    if (!healthy.has(event.extensionId)) return;
    if (event.state === 'mounted') {
      mountedHealthy += 1;
      if (mountedHealthy === healthy.size) done(performance.now());
    } else if (event.state === 'error') {
      failed(new Error(`healthy bundle ${event.extensionId} failed: ${event.error}`));
    }
  });
  const t0 = performance.now();
  for (const bundle of request.bundles) {
    host.load({ manifest: manifest(bundle.id), url: bundle.url });
  }
  const timer = setTimeout(
    () => failed(new Error(`healthy bundles not mounted within ${request.timeoutMs} ms`)),
    request.timeoutMs,
  );
  try {
    const end = await allMounted;
    await settleObserver();
    for (const entry of observer.takeRecords()) {
      longTasks.push({ start: entry.startTime, duration: entry.duration });
    }
    const during = longTasks.filter((t) => t.start < end && t.start + t.duration > t0);
    return {
      allHealthyMs: end - t0,
      longestTaskMs: during.reduce((max, t) => Math.max(max, t.duration), 0),
      longTasks: during.length,
      states: Object.fromEntries(states),
    };
  } finally {
    clearTimeout(timer);
    observer.disconnect();
    host.close();
  }
}

window.mountBench = { run };
document.body.dataset.ready = 'true';
