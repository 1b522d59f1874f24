/**
 * The dev loop end to end in Chromium: an extension project of its own (in a private folder,
 * linked into the playground's extensions through `SPINDLE_PLAYGROUND_EXTENSIONS`) runs next to
 * the demos. Saving its frontend reloads that extension alone in the open page (a new versioned
 * bundle URL); saving its backend restarts that runtime alone while the page stays connected on
 * the same session; a syntax error is reported and the previous version keeps answering.
 */
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, type Playground, startPlayground } from './harness.ts';

let base: string;
let project: string;
let logFile: string;
let pg: Playground;
let tab: OpenedPage;

const MANIFEST = {
  version: '1.0.0',
  name: 'Live reload',
  identifier: 'live_reload',
  author: 'e2e',
  github: '',
  homepage: '',
  permissions: [],
};

/** The frontend half: a panel showing its version and the backend's last answer. */
const frontend = (version: string) => `
export function setup(ctx) {
  const panel = document.createElement('section');
  panel.className = 'ext-panel';
  panel.dataset.extension = 'live_reload';
  const text = document.createElement('p');
  text.dataset.testid = 'live-reload-text';
  text.textContent = 'frontend ${version}';
  const answer = document.createElement('p');
  answer.dataset.testid = 'live-reload-answer';
  const ask = document.createElement('button');
  ask.dataset.testid = 'live-reload-ask';
  ask.textContent = 'Ask';
  ask.addEventListener('click', () => ctx.sendToBackend({ ask: true }));
  panel.append(text, ask, answer);
  (document.getElementById('extension-panels') ?? document.body).append(panel);
  const off = ctx.onBackendMessage((payload) => { answer.textContent = payload.version; });
  return () => { off(); panel.remove(); };
}
`;

/** The backend half: answers with its version. */
const backend = (version: string) => `
spindle.onFrontendMessage((payload, userId, frontendSessionId) => {
  spindle.sendToFrontend({ version: 'backend ${version}' }, userId, { frontendSessionId });
});
`;

/** The app server's output so far, without colour codes. */
const ESC = String.fromCharCode(27);
const hostLog = () => readFileSync(logFile, 'utf8').replace(new RegExp(`${ESC}\\[\\d+m`, 'g'), '');

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const textOf = async (page: Page, id: string) => (await byTestId(page, id).textContent()) ?? '';

interface PageView {
  sessionId: string | undefined;
  generations: Record<string, number>;
  announced: Array<[string, string]>;
  connection: string[];
}

/** What the page knows: its session, each mounted extension's load generation, what it heard. */
function view(page: Page): Promise<PageView> {
  return page.evaluate(() => {
    const w = window as unknown as {
      spindle: {
        bridge: { sessionId?: string };
        host: { list(): Array<{ extensionId: string; generation: number }> };
      };
      __seen: { announced: Array<[string, string]>; connection: string[] };
    };
    return {
      sessionId: w.spindle.bridge.sessionId,
      generations: Object.fromEntries(
        w.spindle.host.list().map((s) => [s.extensionId, s.generation]),
      ),
      announced: [...w.__seen.announced],
      connection: [...w.__seen.connection],
    };
  });
}

/** From now on (again), records every `extension_state` and connection change the page sees. */
async function record(page: Page): Promise<void> {
  await page.evaluate(() => {
    const w = window as unknown as {
      spindle: {
        bridge: {
          events: {
            on(
              event: 'extension_state',
              h: (e: { identifier: string; state: string }) => void,
            ): void;
            on(event: 'state', h: (e: { state: string }) => void): void;
          };
        };
      };
      __seen: { announced: Array<[string, string]>; connection: string[] };
    };
    const listening = w.__seen !== undefined;
    w.__seen = { announced: [], connection: [] };
    if (listening) return;
    w.spindle.bridge.events.on('extension_state', (e) =>
      w.__seen.announced.push([e.identifier, e.state]),
    );
    w.spindle.bridge.events.on('state', (e) => w.__seen.connection.push(e.state));
  });
}

/** Clicks "Ask" until the panel shows `expected` (a message sent mid-restart may be dropped). */
async function askUntil(page: Page, expected: string): Promise<void> {
  await expect
    .poll(
      async () => {
        await byTestId(page, 'live-reload-ask').click();
        await page.waitForTimeout(50);
        return textOf(page, 'live-reload-answer');
      },
      { timeout: 30_000 },
    )
    .toBe(expected);
}

beforeAll(async () => {
  base = mkdtempSync(join(tmpdir(), 'spindle-e2e-dev-'));
  project = join(base, 'live-reload');
  logFile = join(base, 'host.log');
  mkdirSync(join(project, 'src'), { recursive: true });
  writeFileSync(join(project, 'spindle.json'), JSON.stringify(MANIFEST));
  writeFileSync(join(project, 'src', 'frontend.ts'), frontend('v1'));
  writeFileSync(join(project, 'src', 'backend.ts'), backend('v1'));
  pg = await startPlayground({ mode: 'process', extensions: [project], logFile });
  tab = await pg.open();
});

afterAll(async () => {
  await tab?.context.close().catch(() => undefined);
  await pg?.stop();
  rmSync(base, { recursive: true, force: true });
});

describe('the dev loop in the playground', () => {
  it('a saved frontend file reloads that extension alone in the open page', async () => {
    const { page, consoleErrors } = tab;
    await expect.poll(() => textOf(page, 'connection-state'), { timeout: 30_000 }).toBe('open');
    await expect
      .poll(() => textOf(page, 'live-reload-text'), { timeout: 30_000 })
      .toBe('frontend v1');
    await expect.poll(() => page.locator('.ext-panel').count(), { timeout: 30_000 }).toBe(4);
    await record(page);
    const before = await view(page);

    writeFileSync(join(project, 'src', 'frontend.ts'), frontend('v2'));
    await expect
      .poll(() => textOf(page, 'live-reload-text'), { timeout: 30_000 })
      .toBe('frontend v2');
    const after = await view(page);
    // Only this extension was announced and loaded again; the session never dropped.
    expect(after.announced).toEqual([['live_reload', 'running']]);
    expect(after.generations.live_reload).toBeGreaterThan(before.generations.live_reload ?? 0);
    const others = (g: Record<string, number>) =>
      Object.fromEntries(Object.entries(g).filter(([id]) => id !== 'live_reload'));
    expect(others(after.generations)).toEqual(others(before.generations));
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.connection).toEqual([]);
    // One panel: the old one went with the old load.
    expect(await byTestId(page, 'live-reload-text').count()).toBe(1);
    expect(consoleErrors).toEqual([]);
  });

  it('a saved backend file restarts that runtime alone; the page stays on its session', async () => {
    const { page, consoleErrors } = tab;
    await askUntil(page, 'backend v1');
    await record(page);
    const before = await view(page);

    writeFileSync(join(project, 'src', 'backend.ts'), backend('v2'));
    await askUntil(page, 'backend v2');
    await expect
      .poll(async () => (await view(page)).announced.at(-1), { timeout: 30_000 })
      .toEqual(['live_reload', 'running']);
    const after = await view(page);
    expect(new Set(after.announced.map(([id]) => id))).toEqual(new Set(['live_reload']));
    expect(after.announced.map(([, state]) => state)).toEqual(['stopping', 'starting', 'running']);
    // The frontend half stayed mounted (its bundle did not change), and so did the others.
    expect(after.generations).toEqual(before.generations);
    expect(after.sessionId).toBe(before.sessionId);
    expect(after.connection).toEqual([]);
    expect(hostLog()).toMatch(/\[live_reload\] running again in \d+ ms/);
    expect(consoleErrors).toEqual([]);
  });

  it('a syntax error is reported and the previous version keeps answering', async () => {
    const { page, consoleErrors } = tab;
    await record(page);
    writeFileSync(join(project, 'src', 'backend.ts'), 'spindle.onFrontendMessage(;\n');
    await expect
      .poll(hostLog, { timeout: 30_000 })
      .toContain('[live_reload] error build failed; the previous version keeps running:');
    expect(hostLog()).toMatch(/\[live_reload\] error {3}src\/backend\.ts:1:\d+: /);
    await askUntil(page, 'backend v2');
    expect((await view(page)).announced).toEqual([]);

    writeFileSync(join(project, 'src', 'backend.ts'), backend('v3'));
    await askUntil(page, 'backend v3');
    expect(consoleErrors).toEqual([]);
  });
});
