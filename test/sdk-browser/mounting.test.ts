/**
 * Mounting on the main thread of real Chromium: a bundle from a URL and one from a source
 * string (a `blob:` URL) mount and own their DOM; a bundle that throws at import or in setup
 * ends in `error` and leaves nothing in the document.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  HANGING_IMPORT_BUNDLE,
  IIFE_GLOBAL_CTX_BUNDLE,
  styledBundle,
  THROWING_SETUP_BUNDLE,
} from './bundles.ts';
import { bundle, type Rig, type RigPage, startRig } from './rig.ts';

describe('mounting bundles in real Chromium', () => {
  let rig: Rig | undefined;
  let opened: RigPage | undefined;

  beforeAll(async () => {
    rig = await startRig();
  });
  afterEach(async () => {
    await opened?.context.close().catch(() => undefined);
    opened = undefined;
  });
  afterAll(async () => {
    await rig?.close();
  });

  /** Elements in `<head>` and `<body>`, to see that a failed load added nothing. */
  const documentShape = () =>
    opened!.page.evaluate(() => ({
      head: document.head.children.length,
      body: document.body.children.length,
    }));

  it('mounts a bundle served from a URL and one from a source string, and unloads both cleanly', async () => {
    opened = await rig!.open();
    const { page } = opened;
    const url = rig!.serveBundle('from-url', styledBundle('from-url'));
    const shape = await documentShape();
    const tickets = await page.evaluate(
      ([u, src]) => [
        window.spindleTest.load('from_url', { url: u }),
        window.spindleTest.load('from_source', { source: src }),
      ],
      [url, styledBundle('from-source')] as const,
    );
    // `load` returns at once, before any bundle was fetched.
    expect(tickets.map((t) => t.state)).toEqual(['loading', 'loading']);
    const settled = await page.evaluate(() =>
      Promise.all([
        window.spindleTest.settled('from_url'),
        window.spindleTest.settled('from_source'),
      ]),
    );
    expect(settled.map((s) => [s.extensionId, s.state, s.isolation])).toEqual([
      ['from_url', 'ready', 'main'],
      ['from_source', 'ready', 'main'],
    ]);
    const mounted = await page.evaluate(() => ({
      owned: [
        window.spindleTest.ownedElements('from_url'),
        window.spindleTest.ownedElements('from_source'),
      ],
      colour: getComputedStyle(
        document.body.appendChild(
          Object.assign(document.createElement('i'), { className: 'from-url' }),
        ),
      ).color,
      payloads: window.spindleTest
        .uplinks()
        .flatMap((m) => (m.type === 'backend_message' ? [m.payload] : [])),
    }));
    expect(mounted.owned).toEqual([1, 1]);
    expect(mounted.colour).toBe('rgb(102, 51, 153)');
    expect(mounted.payloads).toEqual(
      expect.arrayContaining([
        { mounted: 'from-url', dom: 'object' },
        { mounted: 'from-source', dom: 'object' },
      ]),
    );
    await page.evaluate(() => {
      document.querySelector('i.from-url')?.remove();
      window.spindleTest.host.unload('from_url');
      window.spindleTest.host.unload('from_source');
    });
    expect(await documentShape()).toEqual(shape);
    expect(opened.consoleErrors).toEqual([]);
  });

  it('a bundle that throws at import (IIFE reading a global ctx) ends in error and leaves no DOM', async () => {
    opened = await rig!.open();
    const { page } = opened;
    const shape = await documentShape();
    await page.evaluate(
      (src) => window.spindleTest.load('iife', { source: src }),
      IIFE_GLOBAL_CTX_BUNDLE,
    );
    const settled = await page.evaluate(() => window.spindleTest.settled('iife'));
    expect(settled).toMatchObject({ state: 'error', code: 'IMPORT_FAILED' });
    expect(settled.error).toBe(
      '[spindle] bundle of extension iife failed to import: ReferenceError: ctx is not defined',
    );
    expect(await page.evaluate(() => window.spindleTest.ownedElements('iife'))).toBe(0);
    expect(await documentShape()).toEqual(shape);
    // Nothing was announced to the host for a bundle that never mounted.
    expect(await page.evaluate(() => window.spindleTest.uplinks())).toEqual([]);
  });

  it('a setup that throws after adding a style ends in error and its style is gone', async () => {
    opened = await rig!.open();
    const { page } = opened;
    const shape = await documentShape();
    const url = rig!.serveBundle('thrower', THROWING_SETUP_BUNDLE);
    await page.evaluate((u) => window.spindleTest.load('thrower', { url: u }), url);
    const settled = await page.evaluate(() => window.spindleTest.settled('thrower'));
    expect(settled).toMatchObject({
      state: 'error',
      code: 'SETUP_FAILED',
      error: '[spindle] setup() of extension thrower failed: cannot read config',
    });
    expect(await page.evaluate(() => window.spindleTest.ownedElements('thrower'))).toBe(0);
    expect(await documentShape()).toEqual(shape);
  });

  it('a bundle hanging at import does not keep 8 healthy ones waiting, and ends at its deadline', async () => {
    // A compressed import deadline (the default is 10 s); lanes stay at their default (4).
    opened = await rig!.open('?importTimeoutMs=5000');
    const { page } = opened;
    const shape = await documentShape();
    const hang = rig!.serveBundle('hang', HANGING_IMPORT_BUNDLE);
    const healthy = Array.from({ length: 8 }, (_, i) =>
      rig!.serveBundle(`ok${i}`, styledBundle(`ok${i}`)),
    );
    await page.evaluate(
      ([h, urls]) => {
        window.spindleTest.load('hang', { url: h });
        for (const [i, u] of urls.entries()) window.spindleTest.load(`ok${i}`, { url: u });
      },
      [hang, healthy] as const,
    );
    const first = await page.evaluate(async () => {
      const ids = Array.from({ length: 8 }, (_, i) => `ok${i}`);
      const settled = await Promise.all(ids.map((id) => window.spindleTest.settled(id)));
      return {
        settled: settled.map((s) => s.state),
        hang: window.spindleTest.host.get('hang')?.state,
      };
    });
    // Every healthy bundle mounted while the hung import was still within its deadline.
    expect(first).toEqual({ settled: Array(8).fill('ready'), hang: 'loading' });
    const hung = await page.evaluate(() => window.spindleTest.settled('hang'));
    expect(hung).toMatchObject({
      state: 'error',
      code: 'IMPORT_TIMEOUT',
      error: '[spindle] bundle of extension hang did not finish importing within 5000 ms',
    });
    await page.evaluate(() => {
      for (let i = 0; i < 8; i += 1) window.spindleTest.host.unload(`ok${i}`);
    });
    expect(await page.evaluate(() => window.spindleTest.ownedElements('hang'))).toBe(0);
    expect(await documentShape()).toEqual(shape);
    expect(opened.consoleErrors).toEqual([]);
  });

  // The worker entry is the package's one module with a side effect (it exposes the realm):
  // `sideEffects` names it, so bundlers keep `import '@spindle/frontend-sdk/worker'`.
  it('a worker entry that imports @spindle/frontend-sdk/worker keeps the SDK (bundled for the browser)', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'spindle-app-worker-'));
    try {
      const out = await bundle({ worker: join(import.meta.dirname, 'page', 'app-worker.ts') }, dir);
      expect(out.worker).toContain('exposeWorkerRealm');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });
});
