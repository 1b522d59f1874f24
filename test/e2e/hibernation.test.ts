/**
 * Hibernation in a real browser (docs/operations.md): the playground's Runtimes card hibernates
 * the `messages` extension; its frontend half stays mounted, and the next message it sends wakes
 * the runtime, which answers. The card shows the exit reason; the memory chart plots PSS, names
 * the hibernation in its legend and breaks the line for the gap.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, type Playground, startPlayground } from './harness.ts';

let pg: Playground;
let opened: OpenedPage | undefined;

beforeAll(async () => {
  pg = await startPlayground({ mode: 'process' });
});

afterAll(async () => {
  await opened?.context.close().catch(() => undefined);
  await pg?.stop();
});

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);
const textOf = async (page: Page, id: string) => (await byTestId(page, id).textContent()) ?? '';

describe('a hibernated extension in Chromium', () => {
  it('wakes when its frontend sends a message, and answers', async () => {
    opened = await pg.open();
    const { page, consoleErrors } = opened;
    await expect.poll(() => textOf(page, 'connection-state'), { timeout: 20_000 }).toBe('open');
    await expect
      .poll(() => textOf(page, 'runtime-state-messages'), { timeout: 20_000 })
      .toBe('running');
    const pidBefore = await page
      .locator('[data-testid="runtime-table"] tr[data-extension="messages"] td')
      .nth(3)
      .textContent();

    await byTestId(page, 'runtime-hibernate-messages').click();
    await expect
      .poll(() => textOf(page, 'runtime-state-messages'), { timeout: 15_000 })
      .toBe('hibernated');
    const row = page.locator('[data-testid="runtime-table"] tr[data-extension="messages"]');
    expect(await row.locator('td').nth(5).textContent()).toBe('hibernated');
    // The frontend half is still mounted: its panel is there.
    expect(await byTestId(page, 'messages-input').count()).toBe(1);
    // The chart plots PSS (the host measures it here) and its legend says why the line stops.
    await expect
      .poll(() => page.locator('[data-testid="rss-legend"] li').allTextContents(), {
        timeout: 15_000,
      })
      .toContain('messages: hibernated (hibernated)');
    expect(await textOf(page, 'stats-note')).toMatch(/^PSS · process mode/);

    await byTestId(page, 'messages-input').fill('wake up');
    await byTestId(page, 'messages-send').click();
    await expect
      .poll(() => textOf(page, 'messages-log'), { timeout: 15_000 })
      .toContain('backend: wake up');
    await expect
      .poll(() => textOf(page, 'runtime-state-messages'), { timeout: 15_000 })
      .toBe('running');
    // Its line resumes after the gap: a second run of samples, in the same colour.
    const messagesColour = await page
      .locator('[data-testid="rss-legend"] li', { hasText: 'messages:' })
      .evaluate((li) => (li as HTMLElement).style.getPropertyValue('--c'));
    await expect
      .poll(
        () =>
          page.locator(`[data-testid="rss-chart"] polyline[stroke="${messagesColour}"]`).count(),
        { timeout: 15_000 },
      )
      .toBeGreaterThanOrEqual(2);
    const pidAfter = await row.locator('td').nth(3).textContent();
    expect(pidAfter).not.toBe(pidBefore);
    expect(consoleErrors).toEqual([]);
  });
});
