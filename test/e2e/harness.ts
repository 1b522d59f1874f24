/**
 * End-to-end harness: the playground exactly as `pnpm dev` runs it (Vite + the host plugin,
 * which builds the demo extensions and starts `spindle-host`), driven by Debian's Chromium
 * through playwright-core. Everything started here is stopped by `stop()`.
 */
import { readFileSync } from 'node:fs';
import { delimiter, resolve } from 'node:path';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';
import { createServer, type ViteDevServer } from 'vite';

const repo = resolve(import.meta.dirname, '..', '..');
/** Chromium from Debian (`apt-get install chromium`); override with SPINDLE_CHROMIUM. */
export const CHROMIUM = process.env.SPINDLE_CHROMIUM ?? '/usr/bin/chromium';

/**
 * `E2E_VERBOSE=1`: the host's log, and every page's console and WebSocket frames (stats frames
 * left out) with milliseconds since the page opened, for chasing a failure.
 */
const VERBOSE = Boolean(process.env.E2E_VERBOSE);

function trace(page: Page): void {
  const t0 = Date.now();
  const say = (line: string) => console.log(`${Date.now() - t0} ${line}`);
  page.on('console', (m) => say(`console ${m.type()} ${m.text()}`));
  page.on('requestfailed', (r) => say(`request failed ${r.url()} ${r.failure()?.errorText}`));
  page.on('websocket', (ws) => {
    ws.on('framesent', (f) => say(`> ${String(f.payload).slice(0, 300)}`));
    ws.on('framereceived', (f) => {
      const text = String(f.payload);
      if (!text.includes('"runtime_stats"')) say(`< ${text.slice(0, 300)}`);
    });
  });
}

/** True while `pid` is a live process (a zombie waiting to be reaped counts as gone). */
export function isRunning(pid: number): boolean {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    return stat.slice(stat.lastIndexOf(')') + 2, stat.lastIndexOf(')') + 3) !== 'Z';
  } catch {
    return false;
  }
}

/** A running playground plus a browser. */
export interface Playground {
  url: string;
  browser: Browser;
  /** Opens a page (new context = new tab of a fresh browser profile) and records console errors. */
  open(query?: string, context?: BrowserContext): Promise<OpenedPage>;
  stop(): Promise<void>;
}

/** A page with the console errors it produced. */
export interface OpenedPage {
  page: Page;
  context: BrowserContext;
  consoleErrors: string[];
}

/** Options of `startPlayground`. */
export interface PlaygroundOptions {
  /** Runtime mode of the host. @default the plugin's default ("process") */
  mode?: 'process' | 'sandbox' | 'worker';
  /** Extension folders hosted next to the demos (`SPINDLE_PLAYGROUND_EXTENSIONS`). */
  extensions?: string[];
  /** A file the app server's output is appended to (`SPINDLE_PLAYGROUND_LOG`). */
  logFile?: string;
}

/** Starts Vite (port 0) with the playground config and launches headless Chromium. */
export async function startPlayground(options: PlaygroundOptions = {}): Promise<Playground> {
  if (options.mode) process.env.LUMIVERSE_SPINDLE_RUNTIME_MODE = options.mode;
  process.env.SPINDLE_PLAYGROUND_QUIET = VERBOSE ? '' : '1';
  // Read by the plugin when Vite loads the config below; this file's tests run one at a time.
  process.env.SPINDLE_PLAYGROUND_EXTENSIONS = (options.extensions ?? []).join(delimiter);
  if (options.logFile) process.env.SPINDLE_PLAYGROUND_LOG = options.logFile;
  else delete process.env.SPINDLE_PLAYGROUND_LOG;
  let server: ViteDevServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await createServer({
      configFile: resolve(repo, 'playground', 'vite.config.ts'),
      server: { port: 0, strictPort: false },
      logLevel: 'error',
      clearScreen: false,
    });
    await server.listen();
    const url = server.resolvedUrls?.local[0];
    if (!url) throw new Error('vite did not report a URL');
    browser = await chromium.launch({
      executablePath: CHROMIUM,
      args: [
        '--headless',
        '--no-sandbox',
        '--disable-gpu',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run',
      ],
    });
    const b = browser;
    const s = server;
    return {
      url,
      browser: b,
      async open(query = '', context) {
        const ctx = context ?? (await b.newContext());
        const page = await ctx.newPage();
        const consoleErrors: string[] = [];
        page.on('console', (msg) => {
          if (msg.type() === 'error') consoleErrors.push(msg.text());
        });
        page.on('pageerror', (error) => consoleErrors.push(String(error)));
        if (VERBOSE) trace(page);
        await page.goto(url + query);
        return { page, context: ctx, consoleErrors };
      },
      async stop() {
        const hostPid = await fetch(new URL('/__playground/config', url))
          .then((r) => r.json() as Promise<{ hostPid: number | null }>)
          .then((c) => c.hostPid)
          .catch(() => null);
        await b.close().catch(() => undefined);
        await s.close();
        if (hostPid !== null && isRunning(hostPid)) {
          throw new Error(`spindle-host ${hostPid} outlived the playground`);
        }
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    await server?.close().catch(() => undefined);
    throw error;
  }
}
