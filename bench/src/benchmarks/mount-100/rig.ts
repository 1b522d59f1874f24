/**
 * One side of the mount benchmark: the mount page (bundled with `Bun.build`) and the extension
 * bundles served by `Bun.serve` on 127.0.0.1, and headless Chromium through playwright-core.
 * Bun-only: imported lazily from `open`.
 */
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';
import { withDeadline } from '../../harness/deadline.ts';
import {
  HANG_BUNDLE,
  HANG_ID,
  healthyBundle,
  healthyId,
  THROW_BUNDLE,
  THROW_ID,
} from './bundles.ts';
import type { MountBundle, MountResult } from './protocol.ts';

/** Chromium from Debian; override with SPINDLE_CHROMIUM. */
const CHROMIUM = process.env.SPINDLE_CHROMIUM ?? '/usr/bin/chromium';
const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];
/** Healthy bundles of both sides. */
export const HEALTHY_COUNT = 98;
/** Bound of one run inside the page. */
const RUN_TIMEOUT_MS = 60_000;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>mount bench</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/page.js"></script></body></html>`;

/** Which bundles a side loads. */
export type MountSide = 'healthy-only' | 'with-hang-and-throw';

/** An opened side. */
export interface MountRig {
  /** Loads a fresh page and mounts its bundles once. */
  run(): Promise<MountResult>;
  close(): Promise<void>;
}

async function buildPage(): Promise<string> {
  const result = await Bun.build({
    entrypoints: [join(import.meta.dir, 'page.ts')],
    target: 'browser',
    format: 'esm',
  });
  const output = result.outputs[0];
  if (!result.success || output === undefined) {
    throw new Error(`mount page did not build: ${result.logs.map(String).join('\n')}`);
  }
  return output.text();
}

/**
 * The load order of a side. The hanging bundle goes first, so it takes a lane before any
 * healthy one (the worst place for it); the throwing one comes next.
 */
export function loadOrder(side: MountSide, origin: string): MountBundle[] {
  const healthy = Array.from({ length: HEALTHY_COUNT }, (_, i) => ({
    id: healthyId(i),
    url: `${origin}/ext/${healthyId(i)}.js`,
  }));
  if (side === 'healthy-only') return healthy;
  return [
    { id: HANG_ID, url: `${origin}/ext/${HANG_ID}.js` },
    { id: THROW_ID, url: `${origin}/ext/${THROW_ID}.js` },
    ...healthy,
  ];
}

/** Starts the server and the browser of one side. */
export async function openMountRig(side: MountSide): Promise<MountRig> {
  const sources = new Map<string, string>([
    [HANG_ID, HANG_BUNDLE],
    [THROW_ID, THROW_BUNDLE],
  ]);
  for (let i = 0; i < HEALTHY_COUNT; i++) sources.set(healthyId(i), healthyBundle(i));
  const pageJs = await buildPage();
  const js = (body: string) =>
    new Response(body, {
      headers: { 'content-type': 'text/javascript', 'cache-control': 'no-store' },
    });
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(request) {
      const path = new URL(request.url).pathname;
      if (path === '/')
        return new Response(INDEX_HTML, { headers: { 'content-type': 'text/html' } });
      if (path === '/page.js') return js(pageJs);
      const id = /^\/ext\/([a-z0-9_]+)\.js$/.exec(path)?.[1];
      const source = id === undefined ? undefined : sources.get(id);
      return source === undefined ? new Response('not found', { status: 404 }) : js(source);
    },
  });
  let browser: Browser | undefined;
  try {
    const origin = `http://127.0.0.1:${server.port}`;
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    const page: Page = await browser.newPage();
    const bundles = loadOrder(side, origin);
    const healthy = bundles.filter((b) => b.id.startsWith('healthy_')).map((b) => b.id);
    const b = browser;
    return {
      async run() {
        await withDeadline(page.goto(`${origin}/`), 30_000, 'mount page load');
        await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, {
          timeout: 30_000,
        });
        const result = await withDeadline(
          page.evaluate((request) => window.mountBench.run(request), {
            bundles,
            healthy,
            timeoutMs: RUN_TIMEOUT_MS,
          }),
          RUN_TIMEOUT_MS + 5_000,
          'mounting the healthy bundles',
        );
        check(side, result);
        return result;
      },
      async close() {
        await b.close().catch(() => undefined);
        server.stop(true);
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    server.stop(true);
    throw error;
  }
}

/** A run only counts when every bundle ended where it should. */
function check(side: MountSide, result: MountResult): void {
  const wrong = Object.entries(result.states).filter(([id, state]) => {
    if (id === HANG_ID) return state !== 'loading';
    if (id === THROW_ID) return state !== 'error';
    return state !== 'mounted' && state !== 'ready';
  });
  const expected = side === 'healthy-only' ? HEALTHY_COUNT : HEALTHY_COUNT + 2;
  if (wrong.length > 0 || Object.keys(result.states).length !== expected) {
    throw new Error(
      `mount run (${side}) ended wrong: ${JSON.stringify(wrong.slice(0, 5))}, ${Object.keys(result.states).length}/${expected} bundles seen`,
    );
  }
}
