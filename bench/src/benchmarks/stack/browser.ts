/**
 * Headless Chromium for the whole-stack benchmarks: the page (`browser-page.ts`) is bundled
 * in-process with `Bun.build` (target browser), served by a `Bun.serve` on 127.0.0.1:0, and
 * opened in Debian's Chromium through playwright-core. Also the browser-client floor: a bare
 * page WebSocket to a raw relay (Bun.serve → IPC echo child), the relay floor's server side
 * with a browser as its client. Bun-only: import lazily. Every close releases the page, the
 * browser, the servers and the echo child, and a failed open releases what it had.
 */
import { fileURLToPath } from 'node:url';
import type { SpindleRuntimeMode } from '@spindle/types';
import { SpindleError } from '@spindle/types';
import type { ServerWebSocket } from 'bun';
import { type Browser, chromium, type Page } from 'playwright-core';
import { startEchoChild } from '../../floors/ipc.ts';
import { withDeadline } from '../../harness/deadline.ts';
import type { MeasureContext, Sampler } from '../../harness/types.ts';
import type { BenchPageApi } from './browser-page.ts';

/** The page's global scope, for the functions shipped to it. */
type BenchWindow = { spindleBench: BenchPageApi };

import { RAISED_FRAMES_PER_SECOND } from './limits.ts';
import { RAW_END_OF_BURST } from './messages.ts';
import { openStackHost } from './stack-host.ts';
import { expectNoSurvivors, snapshotDescendants } from './survivors.ts';

const PAGE_ENTRY = fileURLToPath(new URL('./browser-page.ts', import.meta.url));

/** Debian's Chromium. */
export const CHROMIUM = '/usr/bin/chromium';
/** Launch flags of the benchmark browser. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
];
/** Bound on bundling, serving, launching and loading the page. */
export const BROWSER_OPEN_DEADLINE_MS = 60_000;
/** Bound on one batch of round trips in the page. */
export const BROWSER_BATCH_DEADLINE_MS = 60_000;
/** Bound on closing the browser. */
export const BROWSER_CLOSE_DEADLINE_MS = 15_000;

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>spindle bench</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/page.js"></script></body></html>`;

/** The page bundle, built once per benchmark child. */
let pageBundle: Promise<string> | undefined;

async function buildPage(): Promise<string> {
  const result = await Bun.build({ entrypoints: [PAGE_ENTRY], target: 'browser', format: 'esm' });
  const output = result.outputs[0];
  if (!result.success || output === undefined) {
    throw new SpindleError(
      'INTERNAL',
      `bundling the benchmark page failed: ${result.logs.join('\n')}`,
    );
  }
  return output.text();
}

/** The loaded benchmark page. */
export interface BenchPage {
  page: Page;
  /**
   * Runs `fn(arg)` in the page, bounded. `fn` is shipped as source: it may only use its
   * argument and page globals (`spindleBench`, see `BenchWindow`).
   */
  evaluate<A, R>(what: string, fn: (arg: A) => Promise<R> | R, arg: A): Promise<R>;
  /** Console errors and uncaught page errors so far. */
  errors: string[];
  close(): Promise<void>;
}

/** Serves the page, launches Chromium and loads it. */
export async function openBenchPage(): Promise<BenchPage> {
  pageBundle ??= buildPage();
  pageBundle.catch(() => {
    pageBundle = undefined;
  });
  const js = await withDeadline(pageBundle, BROWSER_OPEN_DEADLINE_MS, 'page bundle');
  const server = Bun.serve({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req) {
      const path = new URL(req.url).pathname;
      // Cross-origin isolation (COOP + COEP) gives the page a 5 µs `performance.now()`;
      // without it Chromium rounds to 100 µs, the size of a whole round trip.
      const headers = {
        'cache-control': 'no-store',
        'cross-origin-opener-policy': 'same-origin',
        'cross-origin-embedder-policy': 'require-corp',
      };
      if (path === '/')
        return new Response(INDEX_HTML, { headers: { ...headers, 'content-type': 'text/html' } });
      if (path === '/page.js') {
        return new Response(js, { headers: { ...headers, 'content-type': 'text/javascript' } });
      }
      return new Response('not found', { status: 404 });
    },
  });
  let browser: Browser | undefined;
  const before = snapshotDescendants();
  const close = async () => {
    try {
      if (browser) await withDeadline(browser.close(), BROWSER_CLOSE_DEADLINE_MS, 'browser close');
    } finally {
      try {
        await server.stop(true);
      } finally {
        await expectNoSurvivors(before, BROWSER_CLOSE_DEADLINE_MS, 'browser processes after close');
      }
    }
  };
  try {
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: CHROMIUM_ARGS,
      timeout: BROWSER_OPEN_DEADLINE_MS,
    });
    const page = await browser.newPage();
    const errors: string[] = [];
    page.on('console', (msg) => {
      if (msg.type() === 'error') errors.push(msg.text());
    });
    page.on('pageerror', (error) => errors.push(String(error)));
    await page.goto(`http://127.0.0.1:${server.port}/`, { timeout: BROWSER_OPEN_DEADLINE_MS });
    await page.waitForFunction(() => document.body.dataset.ready === 'true', undefined, {
      timeout: BROWSER_OPEN_DEADLINE_MS,
    });
    if (!(await page.evaluate(() => globalThis.crossOriginIsolated))) {
      throw new SpindleError(
        'INTERNAL',
        'the benchmark page is not cross-origin isolated: its clock would round to 100 µs',
      );
    }
    return {
      page,
      errors,
      evaluate: (what, fn, arg) => evaluateIn(page, what, fn, arg),
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * `page.evaluate` bounded by `BROWSER_BATCH_DEADLINE_MS`. playwright's typing of the argument
 * (`Unboxed<A>`) does not accept a generic `A`; the function travels as source either way.
 */
function evaluateIn<A, R>(
  page: Page,
  what: string,
  fn: (arg: A) => Promise<R> | R,
  arg: A,
): Promise<R> {
  const shipped = page.evaluate(fn as unknown as string, arg) as Promise<R>;
  return withDeadline(shipped, BROWSER_BATCH_DEADLINE_MS, what);
}

/** Throws when the page logged an error (a figure from a failing page is not a figure). */
function checkPage(page: BenchPage): void {
  if (page.errors.length > 0) {
    throw new SpindleError(
      'INTERNAL',
      `benchmark page errors: ${page.errors.slice(0, 3).join('; ')}`,
    );
  }
}

/** A loaded benchmark page and how to close it with whatever serves it. */
interface OpenedPage {
  page: BenchPage;
  close(): Promise<void>;
}

/** A sampler running `fn(arg)` in the page per sample; a page error fails the sample. */
function pageSampler<A, R extends number | readonly number[]>(
  tab: OpenedPage,
  what: string,
  fn: (arg: A) => Promise<R>,
  arg: A,
): Sampler {
  return {
    async sample() {
      const out = await tab.page.evaluate(what, fn, arg);
      checkPage(tab.page);
      return out;
    },
    close: tab.close,
  };
}

/**
 * A `Bun.serve` on 127.0.0.1:0 that takes only WebSockets, each message going to `onMessage`
 * (with a per-connection `count` for sinks), and the loaded page's bare WebSocket to it.
 * `release` runs after the page and the server are closed (and when opening fails).
 */
async function openRawPage(
  what: string,
  onMessage: (ws: ServerWebSocket<{ count: number }>, message: string | Buffer) => void,
  release: () => Promise<void> = async () => {},
): Promise<OpenedPage> {
  let server: ReturnType<typeof Bun.serve> | undefined;
  let page: BenchPage | undefined;
  const close = async () => {
    try {
      await page?.close();
    } finally {
      try {
        await server?.stop(true);
      } finally {
        await release();
      }
    }
  };
  try {
    server = Bun.serve<{ count: number }>({
      hostname: '127.0.0.1',
      port: 0,
      fetch(req, srv) {
        if (srv.upgrade(req, { data: { count: 0 } })) return undefined;
        return new Response('websocket only', { status: 426 });
      },
      websocket: { message: onMessage },
    });
    page = await openBenchPage();
    await page.evaluate(
      what,
      (url) => (globalThis as unknown as BenchWindow).spindleBench.openRaw(url),
      `ws://127.0.0.1:${server.port}/`,
    );
  } catch (error) {
    await close();
    throw error;
  }
  return { page, close };
}

/**
 * Browser-client floor: a bare page WebSocket → Bun.serve → IPC echo child → back, the relay
 * floor's server side (parse, hand the object to IPC) with Chromium as the client.
 */
export async function openBrowserRelayFloor(ctx: MeasureContext, batch: number): Promise<Sampler> {
  let conn: { send(text: string): unknown } | undefined;
  const child = await startEchoChild(ctx.bunPath, (message) => conn?.send(JSON.stringify(message)));
  const opened = await openRawPage(
    'raw relay open',
    (ws, message) => {
      conn = ws;
      child.send(JSON.parse(String(message)));
    },
    () => child.close(),
  );
  return pageSampler(
    opened,
    'raw relay batch',
    (n) => (globalThis as unknown as BenchWindow).spindleBench.rawRoundTrips(n),
    batch,
  );
}

/**
 * Starts a host stack in `mode` (server rate limit raised, `limits.ts`, so the tab is not paced)
 * and connects the page's tab to it; a failed step closes what was opened.
 */
async function openBrowserStackTab(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
): Promise<OpenedPage> {
  const stack = await openStackHost({
    mode,
    users: 1,
    log: ctx.log,
    maxFramesPerSecond: RAISED_FRAMES_PER_SECOND,
  });
  let page: BenchPage | undefined;
  const close = async () => {
    try {
      await page?.close();
    } finally {
      await stack.close();
    }
  };
  try {
    page = await openBenchPage();
    await page.evaluate(
      'stack tab open',
      ([url, token]) => (globalThis as unknown as BenchWindow).spindleBench.openStack(url, token),
      [stack.wsUrl, stack.tokenOf(0)] as const,
    );
    checkPage(page);
  } catch (error) {
    await close();
    throw error;
  }
  return { page, close };
}

/** Figure: one Chromium tab (bridge + SDK) on a real host stack; sequential round trips. */
export async function openBrowserStackRoundTrip(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  batch: number,
): Promise<Sampler> {
  const tab = await openBrowserStackTab(ctx, mode);
  return pageSampler(
    tab,
    'stack batch',
    (n) => (globalThis as unknown as BenchWindow).spindleBench.stackRoundTrips(n),
    batch,
  );
}

/**
 * Browser-client throughput floor: a bare page WebSocket sends `burst` JSON messages one way to
 * a `Bun.serve` that counts them (`ws-throughput`'s sink, with Chromium as the client); the page
 * times each burst from its first send to the count coming back.
 */
export async function openBrowserThroughputFloor(burst: number): Promise<Sampler> {
  const opened = await openRawPage('raw sink open', (ws, message) => {
    if (message === RAW_END_OF_BURST) {
      ws.send(String(ws.data.count));
      ws.data.count = 0;
    } else {
      ws.data.count++;
    }
  });
  return pageSampler(
    opened,
    'raw burst',
    (n) => (globalThis as unknown as BenchWindow).spindleBench.rawBurst(n),
    burst,
  );
}

/**
 * Figure: one Chromium tab (bridge + SDK) on a real host stack sends one-way bursts through
 * `ctx.sendToBackend`, counted by the echo extension's backend (`client.ts` `burst`: at most
 * half the unacked window in flight).
 */
export async function openBrowserStackThroughput(
  ctx: MeasureContext,
  mode: SpindleRuntimeMode,
  burst: number,
): Promise<Sampler> {
  const tab = await openBrowserStackTab(ctx, mode);
  return pageSampler(
    tab,
    'stack burst',
    (n) => (globalThis as unknown as BenchWindow).spindleBench.stackBurst(n),
    burst,
  );
}
