/**
 * A web app bundles the installed `@spindle/host-bridge` and `@spindle/frontend-sdk` with Vite
 * (a plain `vite build`, no configuration) and runs in Chromium against the installed
 * `spindle-host`: the bridge connects, the extension's frontend half is mounted in an isolation
 * worker (the SDK's worker entry, kept by the bundler), and a message goes page worker →
 * backend → worker → backend.
 */
import { execFile } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFile, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, join, normalize } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, beforeAll, expect, test } from 'vitest';
import { CHROMIUM, CHROMIUM_ARGS } from '../sdk-browser/rig.ts';
import {
  APP,
  EXTENSIONS,
  INSTALLED_BIN,
  type InstalledHost,
  killInstalledHosts,
  scratchDir,
  startInstalledHost,
  WORKSPACE,
} from './consumer.ts';

const run = promisify(execFile);
const WEB = join(APP, 'web');
const TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
};

/** Serves `dir` on 127.0.0.1 (port 0). */
async function serve(dir: string): Promise<Server> {
  const server = createServer(async (request, response) => {
    const path = new URL(request.url ?? '/', 'http://x').pathname;
    const file = join(dir, normalize(path === '/' ? '/index.html' : path));
    try {
      const body = await readFile(file);
      response.writeHead(200, {
        'content-type': TYPES[extname(file)] ?? 'application/octet-stream',
      });
      response.end(body);
    } catch {
      response.writeHead(404).end();
    }
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  return server;
}

let host: InstalledHost | undefined;
let server: Server | undefined;
let browser: Browser | undefined;
const token = randomBytes(18).toString('base64url');

beforeAll(async () => {
  await run(
    process.execPath,
    [join(WORKSPACE, 'node_modules', 'vite', 'bin', 'vite.js'), 'build', '--logLevel', 'warn'],
    { cwd: WEB, timeout: 120_000 },
  );
  const data = scratchDir('browser');
  const tokens = join(data, 'tokens.json');
  await writeFile(tokens, JSON.stringify({ [token]: { userId: 'reader' } }), { mode: 0o600 });
  host = await startInstalledHost([
    INSTALLED_BIN,
    '--extensions',
    EXTENSIONS,
    '--data',
    data,
    '--mode',
    'process',
    '--port',
    '0',
    '--tokens',
    tokens,
  ]);
  server = await serve(join(WEB, 'dist'));
  browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS });
}, 180_000);

afterAll(async () => {
  await browser?.close();
  await new Promise((done) => server?.close(done) ?? done(undefined));
  await host?.stop();
  killInstalledHosts();
});

test('the Vite bundle connects, mounts the extension in a worker and round-trips a message', async () => {
  const page = await browser!.newPage();
  const errors: string[] = [];
  page.on('pageerror', (error) => errors.push(error.message));
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  const { port } = server!.address() as AddressInfo;
  const hostOrigin = `http://127.0.0.1:${host!.port}`;
  await page.goto(
    `http://127.0.0.1:${port}/?host=${encodeURIComponent(hostOrigin)}&token=${token}`,
  );
  await page.waitForFunction(() => window.spindleReport?.states.includes('hello:ready'), null, {
    timeout: 30_000,
  });
  // The host's log is JSON lines (not a terminal): the runtime's line, tagged with its extension.
  await host!.waitFor(
    /"extension":"hello"[^\n]*"msg":"hello: round trip from the worker: consumer/,
    'the frontend half in the worker to answer the backend',
  );
  const report = await page.evaluate(() => window.spindleReport);
  expect(report).toMatchObject({ protocolVersion: 2, userId: 'reader' });
  expect(report.states).toEqual(['hello:loading', 'hello:mounted', 'hello:ready']);
  expect(errors).toEqual([]);
  await page.close();
});
