/**
 * Real-browser rig for the frontend SDK: bundles the test page and the SDK's worker entry with
 * `bun build --target browser`, serves them and the extension bundles on 127.0.0.1 (port 0),
 * and drives Debian's Chromium through playwright-core. `close()` releases everything; `start`
 * releases what it already has when it fails half-way.
 */
import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { createRequire } from 'node:module';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, type BrowserContext, chromium, type Page } from 'playwright-core';

const run = promisify(execFile);
const repo = resolve(import.meta.dirname, '..', '..');
/** The repo's Bun (never a global install). */
export const BUN = join(repo, 'node_modules', '.bin', 'bun');
/** Chromium from Debian; override with SPINDLE_CHROMIUM. */
export const CHROMIUM = process.env.SPINDLE_CHROMIUM ?? '/usr/bin/chromium';
/** Launch flags of every browser these tests start. */
export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
];

const INDEX_HTML = `<!doctype html>
<html><head><meta charset="utf-8"><title>spindle sdk</title><link rel="icon" href="data:,"></head>
<body><script type="module" src="/page.js"></script></body></html>`;

/**
 * Bundles `entries` (absolute paths) for the browser into `outdir`, one `<name>.js` per entry.
 * @returns the bundles' text by output name
 */
export async function bundle(
  entries: Record<string, string>,
  outdir: string,
): Promise<Record<string, string>> {
  const out: Record<string, string> = {};
  for (const [name, entry] of Object.entries(entries)) {
    await run(
      BUN,
      [
        'build',
        entry,
        '--target',
        'browser',
        '--format',
        'esm',
        '--outdir',
        outdir,
        '--entry-naming',
        `${name}.[ext]`,
      ],
      { cwd: join(repo, 'test'), timeout: 60_000 },
    );
    out[name] = await readFile(join(outdir, `${name}.js`), 'utf8');
  }
  return out;
}

/** A page of the rig with what it reported. */
export interface RigPage {
  page: Page;
  context: BrowserContext;
  /** `console.error` lines and uncaught page errors. */
  consoleErrors: string[];
}

/** A served test page plus a browser. */
export interface Rig {
  origin: string;
  browser: Browser;
  /** Serves `source` as a JavaScript module at `/ext/<name>.js`. */
  serveBundle(name: string, source: string): string;
  /** Opens the test page (with `query`, e.g. `?importTimeoutMs=500`) in a fresh browser context. */
  open(query?: string): Promise<RigPage>;
  close(): Promise<void>;
}

/** Builds the page, serves it and launches Chromium. */
export async function startRig(): Promise<Rig> {
  const dir = await mkdtemp(join(tmpdir(), 'spindle-sdk-browser-'));
  let server: Server | undefined;
  let browser: Browser | undefined;
  const contexts = new Set<BrowserContext>();
  try {
    const require = createRequire(import.meta.url);
    const files = await bundle(
      {
        page: join(import.meta.dirname, 'page', 'page.ts'),
        worker: require.resolve('@spindle/frontend-sdk/worker'),
      },
      dir,
    );
    const routes = new Map<string, { type: string; body: string }>([
      ['/', { type: 'text/html', body: INDEX_HTML }],
      ['/page.js', { type: 'text/javascript', body: files.page! }],
      ['/worker.js', { type: 'text/javascript', body: files.worker! }],
    ]);
    const s = createServer((req, res) => {
      const route = routes.get(new URL(req.url ?? '/', 'http://x').pathname);
      if (route === undefined) {
        res.writeHead(404).end();
        return;
      }
      res.writeHead(200, { 'content-type': route.type, 'cache-control': 'no-store' });
      res.end(route.body);
    });
    server = s;
    await new Promise<void>((done, fail) => {
      s.once('error', fail);
      s.listen(0, '127.0.0.1', () => done());
    });
    const origin = `http://127.0.0.1:${(s.address() as AddressInfo).port}`;
    const b = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
    browser = b;
    return {
      origin,
      browser: b,
      serveBundle(name, source) {
        const path = `/ext/${name}.js`;
        routes.set(path, { type: 'text/javascript', body: source });
        return origin + path;
      },
      async open(query = '') {
        const context = await b.newContext();
        contexts.add(context);
        context.on('close', () => contexts.delete(context));
        const page = await context.newPage();
        const consoleErrors: string[] = [];
        page.on('console', (msg) => {
          if (msg.type() === 'error') consoleErrors.push(msg.text());
        });
        page.on('pageerror', (error) => consoleErrors.push(String(error)));
        await page.goto(`${origin}/${query}`);
        await page.waitForFunction(() => document.body.dataset.ready === 'true');
        return { page, context, consoleErrors };
      },
      async close() {
        for (const context of [...contexts]) await context.close().catch(() => undefined);
        await b.close().catch(() => undefined);
        s.closeAllConnections();
        await new Promise<void>((done) => s.close(() => done()));
        await rm(dir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await browser?.close().catch(() => undefined);
    if (server?.listening) await new Promise<void>((done) => server?.close(() => done()));
    await rm(dir, { recursive: true, force: true });
    throw error;
  }
}
