// Real-browser smoke check of worker isolation and the blob: loader (not part of the vitest
// run: happy-dom has no Worker). Run from the repo root:
//   node packages/frontend-sdk/test/browser/worker-smoke.mjs
// It serves this folder with Vite on loopback, opens it in /usr/bin/chromium (playwright-core),
// and exits non-zero when an expectation fails.
import { createRequire } from 'node:module';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { createServer } from 'vite';

const here = fileURLToPath(new URL('.', import.meta.url));
const repo = fileURLToPath(new URL('../../../../', import.meta.url));
// playwright-core is a dependency of the workspace's test packages, not of this one.
const require = createRequire(import.meta.url);
const playwright = require.resolve('playwright-core', { paths: [`${repo}test`, `${repo}bench`] });
const { chromium } = (await import(pathToFileURL(playwright).href)).default;
const server = await createServer({
  root: here,
  configFile: false,
  logLevel: 'error',
  server: { host: '127.0.0.1', port: 0, fs: { allow: [repo] } },
});
await server.listen();
const { port } = server.httpServer.address();
const browser = await chromium.launch({ executablePath: '/usr/bin/chromium' });
let failed = false;
const expect = (label, ok, got) => {
  console.log(`${ok ? 'ok  ' : 'FAIL'} ${label}${ok ? '' : `: ${JSON.stringify(got)}`}`);
  if (!ok) failed = true;
};
try {
  const page = await browser.newPage();
  page.on('pageerror', (e) => console.log('pageerror:', e.message));
  await page.goto(`http://127.0.0.1:${port}/smoke.html`);
  await page.waitForFunction(() => globalThis.__smoke?.ready === true, undefined, {
    timeout: 20_000,
  });
  const ticksBefore = await page.evaluate(() => globalThis.__smoke.ticks ?? 0);
  await page.waitForFunction(
    () => globalThis.__smoke.log.some((l) => l.startsWith('state in_worker error')),
    undefined,
    { timeout: 10_000 },
  );
  const r = await page.evaluate(() => globalThis.__smoke);
  expect('worker bundle ready', r.states.worker === 'ready', r.states);
  expect('main-thread bundle ready (blob: URL)', r.states.main === 'ready', r.states);
  expect(
    'IIFE reading a global ctx ends in error',
    /ctx is not defined/.test(r.states.broken),
    r.states,
  );
  expect('ctx.dom on main thread adds a style', r.styles === 1, r.styles);
  expect(
    'ctx in worker has no dom',
    r.log.some((l) => l.includes('"dom":"undefined"')),
    r.log,
  );
  expect(
    'backend message round trip through the worker',
    r.log.some((l) => l.includes('"echo":"hello"')),
    r.log,
  );
  expect(
    'busy loop: process reported failed after its heartbeat deadline',
    r.log.some((l) => l.includes('missed its heartbeat deadline')),
    r.log,
  );
  expect(
    'page kept running during the busy loop',
    r.ticks - ticksBefore >= 10,
    r.ticks - ticksBefore,
  );
  await page.waitForFunction(() => globalThis.__smoke.spinning !== undefined, undefined, {
    timeout: 10_000,
  });
  const spinning = await page.evaluate(() => globalThis.__smoke.spinning);
  expect(
    'worker bundle spinning at import ends in IMPORT_TIMEOUT',
    spinning === 'error IMPORT_TIMEOUT',
    spinning,
  );
} finally {
  await browser.close();
  await server.close();
}
process.exit(failed ? 1 : 0);
