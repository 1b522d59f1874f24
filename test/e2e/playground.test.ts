/**
 * The playground in a real browser: every demo, a forced WebSocket drop with resume, two tabs of
 * one user, a refused token, the runaway frontend terminated while the page keeps answering,
 * and no console errors. Runs the host in `process` mode (the default).
 */
import type { Page } from 'playwright-core';
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { type OpenedPage, type Playground, startPlayground } from './harness.ts';

let pg: Playground;
const opened: OpenedPage[] = [];

beforeAll(async () => {
  pg = await startPlayground({ mode: 'process' });
});

afterAll(async () => {
  await pg?.stop();
});

afterEach(async () => {
  for (const o of opened.splice(0)) await o.context.close().catch(() => undefined);
});

async function open(query = ''): Promise<OpenedPage> {
  const o = await pg.open(query);
  opened.push(o);
  return o;
}

const byTestId = (page: Page, id: string) => page.locator(`[data-testid="${id}"]`);

async function ready(page: Page) {
  await expect
    .poll(() => byTestId(page, 'connection-state').textContent(), { timeout: 20_000 })
    .toBe('open');
  await expect.poll(() => page.locator('.ext-panel').count(), { timeout: 20_000 }).toBe(3);
}

async function textOf(page: Page, id: string) {
  return (await byTestId(page, id).textContent()) ?? '';
}

/** Installs a hook that lets the test drop the page's WebSocket like a network failure would. */
async function instrumentSockets(page: Page) {
  await page.addInitScript(() => {
    const Native = window.WebSocket;
    const sockets: WebSocket[] = [];
    class Tracked extends Native {
      constructor(url: string | URL, protocols?: string | string[]) {
        super(url, protocols);
        sockets.push(this);
      }
    }
    (window as unknown as { WebSocket: typeof WebSocket }).WebSocket = Tracked;
    (window as unknown as { __dropSockets: () => number }).__dropSockets = () => {
      let n = 0;
      for (const s of sockets) {
        // Only the bridge's socket (Vite's HMR socket is not ours to drop).
        if (s.readyState === Native.OPEN && new URL(s.url).pathname === '/ws') {
          s.close(3001, 'test: network drop');
          n += 1;
        }
      }
      return n;
    };
  });
}

describe('playground in Chromium', () => {
  it('connects, mounts the demos and shows no console errors', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    await expect.poll(() => byTestId(page, 'extension-list').locator('li').count()).toBe(5);
    expect(consoleErrors).toEqual([]);
  });

  it('app shell: the chat peek drawer tab follows chat switches; a modal and a confirm open and close', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    const messages = byTestId(page, 'chat-peek-messages').locator('li');
    await expect.poll(() => byTestId(page, 'drawer-tab-chat_peek:chat-peek').count()).toBe(1);
    await expect.poll(() => messages.count(), { timeout: 20_000 }).toBe(2);
    expect(await messages.first().textContent()).toBe('user: Would you like some tea?');

    // Switching chats in the app's own view: the backend hears CHAT_SWITCHED and answers.
    await byTestId(page, 'chat-switch-market').click();
    await expect.poll(() => messages.count(), { timeout: 20_000 }).toBe(3);
    await expect.poll(() => byTestId(page, 'toast').count()).toBeGreaterThan(0);
    expect(await byTestId(page, 'toast').first().textContent()).toContain(
      'Now peeking at dev/market',
    );

    // A modal: opened by the extension, closed by its own button.
    await byTestId(page, 'chat-peek-details').click();
    await expect.poll(() => byTestId(page, 'chat-peek-modal').count()).toBe(1);
    expect(await byTestId(page, 'chat-peek-modal').textContent()).toContain(
      'dev/market: 3 message(s).',
    );
    await byTestId(page, 'chat-peek-modal-close').click();
    await expect.poll(() => byTestId(page, 'modal-layer').isHidden()).toBe(true);

    // A confirm: yes → the backend appends through chat.appendMessage; the tab follows.
    await byTestId(page, 'chat-peek-reply').click();
    await byTestId(page, 'confirm-yes').click();
    await expect.poll(() => messages.count(), { timeout: 20_000 }).toBe(4);
    expect(await messages.last().textContent()).toBe('assistant: A peek says hello.');
    expect(consoleErrors).toEqual([]);
  });

  it('messages: echo over sendToBackend / sendToFrontend', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    await byTestId(page, 'messages-input').fill('hello spindle');
    await byTestId(page, 'messages-send').click();
    await expect
      .poll(() => textOf(page, 'messages-log'), { timeout: 10_000 })
      .toContain('backend: hello spindle');
    expect(await textOf(page, 'messages-status')).toBe('1 echoed');
    expect(consoleErrors).toEqual([]);
  });

  it('frontend loop: heartbeats, messages both ways, missed heartbeats → timed_out, stop', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    await byTestId(page, 'frontend_loop-start').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('running');
    await expect
      .poll(async () => Number((await textOf(page, 'frontend_loop-ticks')).replace(/\D/g, '')), {
        timeout: 10_000,
      })
      .toBeGreaterThanOrEqual(2);
    await byTestId(page, 'frontend_loop-ping').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-log'), { timeout: 10_000 })
      .toContain('pong');
    await byTestId(page, 'frontend_loop-stall').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 15_000 })
      .toBe('timed_out');
    await expect
      .poll(() => textOf(page, 'frontend_loop-here'), { timeout: 5_000 })
      .toBe('runs in this tab: no');
    await byTestId(page, 'frontend_loop-start').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('running');
    await byTestId(page, 'frontend_loop-stop').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('stopped');
    await expect
      .poll(() => page.locator('[data-testid="process-table"] tbody tr[data-state]').count(), {
        timeout: 5_000,
      })
      .toBeGreaterThanOrEqual(2);
    expect(consoleErrors).toEqual([]);
  });

  it('backend worker: progress, then "freeze it" and the host kills it at the deadline', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    await byTestId(page, 'backend_worker-start').click();
    await expect
      .poll(() => textOf(page, 'backend_worker-status'), { timeout: 15_000 })
      .toBe('running');
    await expect
      .poll(async () => Number((await textOf(page, 'backend_worker-found')).replace(/\D/g, '')), {
        timeout: 15_000,
      })
      .toBeGreaterThan(0);
    await byTestId(page, 'backend_worker-freeze').click();
    await expect
      .poll(() => textOf(page, 'backend_worker-status'), { timeout: 15_000 })
      .toBe('timed_out');
    expect(consoleErrors).toEqual([]);
  });

  it('runaway frontend: the SDK terminates the spinning worker while the page keeps answering', async () => {
    const { page, consoleErrors } = await open();
    await ready(page);
    await byTestId(page, 'runaway-run').click();
    await expect
      .poll(() => textOf(page, 'runaway-state'), { timeout: 10_000 })
      .toMatch(/running|starting/);
    for (let i = 0; i < 5; i++) await byTestId(page, 'responsive-click').click();
    expect(await textOf(page, 'click-count')).toBe('5');
    await expect
      .poll(() => textOf(page, 'runaway-state'), { timeout: 20_000 })
      .toMatch(/^timed_out/);
    await expect.poll(() => textOf(page, 'runaway-worker'), { timeout: 15_000 }).toBe('terminated');
    expect(await textOf(page, 'runaway-note')).toContain('was terminated');
    await byTestId(page, 'responsive-click').click();
    expect(await textOf(page, 'click-count')).toBe('6');
    expect(consoleErrors).toEqual([]);
  });

  it('a frontend process survives a forced WebSocket drop and resumes', async () => {
    const o = await pg.open('', await pg.browser.newContext());
    opened.push(o);
    const { page, consoleErrors } = o;
    await instrumentSockets(page);
    await page.reload();
    await ready(page);
    const session = await textOf(page, 'session-id');
    await byTestId(page, 'frontend_loop-start').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('running');
    const here = await textOf(page, 'frontend_loop-here');
    // Record every bridge state: a fast reconnect may be over before a poll could see it.
    await page.evaluate(() => {
      const w = window as unknown as {
        spindle: {
          bridge: { events: { on(e: 'state', h: (s: { state: string }) => void): void } };
        };
        __states: string[];
      };
      w.__states = [];
      w.spindle.bridge.events.on('state', ({ state }) => w.__states.push(state));
    });
    expect(
      await page.evaluate(() => (window as unknown as { __dropSockets(): number }).__dropSockets()),
    ).toBe(1);
    const states = () =>
      page.evaluate(() => (window as unknown as { __states: string[] }).__states);
    await expect.poll(states, { timeout: 20_000 }).toContain('reconnecting');
    await expect.poll(async () => (await states()).at(-1), { timeout: 20_000 }).toBe('open');
    await expect.poll(() => textOf(page, 'connection-state'), { timeout: 20_000 }).toBe('open');
    // Same session, same process, still ticking.
    expect(await textOf(page, 'session-id')).toBe(session);
    const before = Number((await textOf(page, 'frontend_loop-ticks')).replace(/\D/g, ''));
    await expect
      .poll(async () => Number((await textOf(page, 'frontend_loop-ticks')).replace(/\D/g, '')), {
        timeout: 10_000,
      })
      .toBeGreaterThan(before);
    expect(await textOf(page, 'frontend_loop-status')).toBe('running');
    expect(await textOf(page, 'frontend_loop-here')).toBe(here);
    await byTestId(page, 'frontend_loop-stop').click();
    await expect
      .poll(() => textOf(page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('stopped');
    expect(consoleErrors).toEqual([]);
  });

  it('two tabs of one user: a spawned frontend process runs exactly once', async () => {
    const a = await open('?user=alice');
    const b = await open('?user=alice');
    await ready(a.page);
    await ready(b.page);
    await byTestId(a.page, 'frontend_loop-start-anywhere').click();
    await expect
      .poll(() => textOf(a.page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('running');
    const where = await Promise.all([
      textOf(a.page, 'frontend_loop-here'),
      textOf(b.page, 'frontend_loop-here'),
    ]);
    expect(where.filter((w) => w.startsWith('runs in this tab: yes'))).toHaveLength(1);
    await byTestId(a.page, 'frontend_loop-stop').click();
    await expect
      .poll(() => textOf(a.page, 'frontend_loop-status'), { timeout: 10_000 })
      .toBe('stopped');
    expect([...a.consoleErrors, ...b.consoleErrors]).toEqual([]);
  });

  it('a bad token is refused before any extension data is sent', async () => {
    const { page } = await open('?token=not-a-valid-token-at-all');
    await expect.poll(() => textOf(page, 'connection-state'), { timeout: 15_000 }).toBe('failed');
    expect(await page.locator('.ext-panel').count()).toBe(0);
    expect(await byTestId(page, 'extension-list').locator('li').count()).toBe(0);
  });
});
