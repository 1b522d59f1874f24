import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { createExtensionHost } from '../src/host/host.ts';
import { createModuleLoader } from '../src/host/loader.ts';
import { yieldMicrotask } from '../src/timers.ts';
import { createMemoryTransport } from '../src/transport.ts';
import { manifest } from './helpers.ts';

/**
 * Real bundles through the real loader: source strings become `data:` URLs here (Node-based
 * runners cannot import `blob:` URLs; browsers use `blob:` by default) and go through `import()`.
 */
function realHost() {
  const { transport, remote } = createMemoryTransport();
  const host = createExtensionHost({
    transport,
    yieldToBrowser: yieldMicrotask,
    loader: createModuleLoader({ sourceUrl: 'data' }),
  });
  return { host, remote };
}

const cases: Array<[string, string, string, string]> = [
  [
    'missing setup export',
    'export const version = 1;',
    'SETUP_FAILED',
    '[spindle] bundle of extension broken does not export a setup(ctx) function',
  ],
  [
    'setup that throws',
    'export function setup(ctx) { ctx.dom.addStyle(".broken{}"); ctx.processes.register("k", () => {}); throw new TypeError("cannot read config"); }',
    'SETUP_FAILED',
    '[spindle] setup() of extension broken failed: cannot read config',
  ],
  [
    'syntax error',
    'export function setup(ctx) { return ) }',
    'IMPORT_FAILED',
    "[spindle] bundle of extension broken failed to import: SyntaxError: Unexpected token ')'",
  ],
  [
    'IIFE reading a global ctx',
    '(function () { ctx.processes.register("kind", () => {}); })();',
    'IMPORT_FAILED',
    '[spindle] bundle of extension broken failed to import: ReferenceError: ctx is not defined',
  ],
  [
    'throw at import',
    'throw new Error("bundle refuses to load");',
    'IMPORT_FAILED',
    '[spindle] bundle of extension broken failed to import: Error: bundle refuses to load',
  ],
];

describe('broken bundles end in error with their message, leaving nothing behind', () => {
  beforeEach(() => vi.useFakeTimers());
  afterEach(() => {
    expect(vi.getTimerCount()).toBe(0);
    vi.useRealTimers();
  });

  it.each(cases)('%s', async (_name, source, code, message) => {
    const { host, remote } = realHost();
    const ticket = host.load({ manifest: manifest('broken'), source });
    expect(ticket.state).toBe('loading');
    const settled = await ticket.settled;
    expect(settled).toMatchObject({ extensionId: 'broken', state: 'error', code, error: message });
    expect(host.list()).toEqual([settled]);
    expect(host.processes()).toEqual([]);
    expect(document.head.innerHTML).toBe('');
    expect(document.body.innerHTML).toBe('');
    expect((globalThis as { ctx?: unknown }).ctx).toBeUndefined();
    expect(remote.received).toEqual([]);
    // A spawn aimed at it is refused visibly rather than lost.
    remote.send({
      type: 'process_spawn',
      extensionId: 'broken',
      processId: 'p1',
      kind: 'kind',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
    });
    expect(remote.received).toEqual([
      {
        type: 'process_ended',
        processId: 'p1',
        outcome: 'failed',
        error: '[spindle] extension broken is not loaded in this frontend session',
      },
    ]);
    host.close();
  });

  it('a healthy bundle loads through the same real import path', async () => {
    const { host, remote } = realHost();
    const ticket = host.load({
      manifest: manifest('healthy'),
      source:
        'export function setup(ctx) { ctx.onBackendMessage((m) => ctx.sendToBackend({ pong: m })); }',
    });
    await expect(ticket.settled).resolves.toMatchObject({ state: 'ready' });
    remote.send({ type: 'backend_message', extensionId: 'healthy', payload: 'ping' });
    expect(remote.received).toEqual([
      { type: 'extension_mounted', extensionId: 'healthy' },
      { type: 'backend_message', extensionId: 'healthy', payload: { pong: 'ping' } },
    ]);
    host.close();
  });

  it('loads a bundle from a URL with import()', async () => {
    const { host } = realHost();
    // happy-dom rewrites import.meta.url to http://localhost; the runner imports file: URLs.
    const dir = (import.meta as { dirname?: string }).dirname;
    const url = `file://${dir}/fixtures/url-bundle.js`;
    const ticket = host.load({ manifest: manifest('by_url'), url });
    await expect(ticket.settled).resolves.toMatchObject({ state: 'ready' });
    expect(document.head.querySelectorAll('style[data-spindle-extension="by_url"]')).toHaveLength(
      1,
    );
    host.close();
    expect(document.head.innerHTML).toBe('');
  });

  it('the blob strategy imports an object URL of the source and revokes it', async () => {
    const seen: string[] = [];
    const importModule = vi.fn(async (url: string) => {
      seen.push(url);
      return { setup() {} };
    });
    const revoke = vi.spyOn(URL, 'revokeObjectURL');
    const loader = createModuleLoader({ importModule });
    await expect(
      loader({ extensionId: 'b', source: 'export function setup(){}' }),
    ).resolves.toHaveProperty('setup');
    expect(seen[0]).toMatch(/^blob:/);
    expect(revoke).toHaveBeenCalledWith(seen[0]);
    revoke.mockRestore();
  });

  it('the loader refuses a request with neither url nor source', async () => {
    await expect(createModuleLoader()({ extensionId: 'n' })).rejects.toMatchObject({
      code: 'INVALID_OPTIONS',
    });
  });

  it('an injected loader that throws a plain error ends in IMPORT_FAILED with its message', async () => {
    const { transport } = createMemoryTransport();
    const host = createExtensionHost({
      transport,
      yieldToBrowser: yieldMicrotask,
      loader: async () => {
        throw new Error('CDN returned 503');
      },
    });
    await expect(
      host.load({ manifest: manifest('cdn'), url: 'https://cdn/x.js' }).settled,
    ).resolves.toMatchObject({
      state: 'error',
      code: 'IMPORT_FAILED',
      error: '[spindle] bundle of extension cdn failed to import: CDN returned 503',
    });
    host.close();
  });
});
