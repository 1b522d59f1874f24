/**
 * The runtime-mode selector: the playground restarts the host in `worker` and then `sandbox`
 * mode, and the demos keep working in each (echo through the runtime; a backend subprocess that
 * reports progress and is killed at its heartbeat deadline when frozen).
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, type Playground, startPlayground } from './harness.ts';

let pg: Playground;
let tab: OpenedPage;

beforeAll(async () => {
  pg = await startPlayground({ mode: 'process' });
  tab = await pg.open();
});

afterAll(async () => {
  await tab?.context.close().catch(() => undefined);
  await pg?.stop();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const textOf = async (page: Page, id: string) => (await byTestId(page, id).textContent()) ?? '';

async function ready(page: Page) {
  await expect.poll(() => textOf(page, 'connection-state'), { timeout: 30_000 }).toBe('open');
  await expect.poll(() => page.locator('.ext-panel').count(), { timeout: 30_000 }).toBe(3);
}

describe.each(['worker', 'sandbox'] as const)('the host restarted in %s mode', (mode) => {
  it('serves the demos from the new runtimes', async () => {
    const { page, consoleErrors } = tab;
    await ready(page);
    await Promise.all([
      page.waitForEvent('load', { timeout: 60_000 }),
      byTestId(page, 'mode-select').selectOption(mode),
    ]);
    await ready(page);
    expect(await byTestId(page, 'mode-select').inputValue()).toBe(mode);

    await byTestId(page, 'messages-input').fill(`hi from ${mode}`);
    await byTestId(page, 'messages-send').click();
    await expect
      .poll(() => textOf(page, 'messages-log'), { timeout: 15_000 })
      .toContain(`backend: hi from ${mode}`);

    await byTestId(page, 'backend_worker-start').click();
    await expect
      .poll(() => textOf(page, 'backend_worker-status'), { timeout: 20_000 })
      .toBe('running');
    await byTestId(page, 'backend_worker-freeze').click();
    await expect
      .poll(() => textOf(page, 'backend_worker-status'), { timeout: 20_000 })
      .toBe('timed_out');
    expect(consoleErrors).toEqual([]);
  });
});
