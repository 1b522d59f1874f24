/**
 * The bridge as the SDK's transport: `createExtensionHost({ transport: bridge })` over a fake
 * socket. Mounting, process spawns, queued messages and a lost session, end to end in the tab.
 */
import { createExtensionHost, yieldMicrotask } from '@spindle/frontend-sdk';
import type { FrontendUplink } from '@spindle/types';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { extensionInfo, setup, welcome } from './helpers.ts';

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

function spawnFrame(processId: string, seq: number) {
  return {
    type: 'process_spawn',
    extensionId: 'demo',
    processId,
    kind: 'loop',
    startupTimeoutMs: 15_000,
    heartbeatTimeoutMs: 15_000,
    seq,
  };
}

const strip = (frames: { type: string }[]) =>
  frames.filter((f) => f.type !== 'ack' && f.type !== 'hello') as (FrontendUplink & {
    seq: number;
  })[];

describe('connectHostBridge as the transport of createExtensionHost', () => {
  it('mounts, runs a spawned process, and ends it when the session is lost', async () => {
    const { bridge, fakes, open } = setup();
    let cleanups = 0;
    let sendToBackend: ((payload: unknown) => unknown) | undefined;
    const host = createExtensionHost({
      transport: bridge,
      yieldToBrowser: yieldMicrotask,
      document: null,
      loader: async () => ({
        setup(ctx: {
          sendToBackend(payload: unknown): unknown;
          processes: {
            register(kind: string, handler: (p: { ready(): void }) => () => void): void;
          };
        }) {
          sendToBackend = (payload) => ctx.sendToBackend(payload);
          ctx.processes.register('loop', (p) => {
            p.ready();
            return () => {
              cleanups += 1;
            };
          });
        },
      }),
    });
    const first = open({ extensions: [extensionInfo('demo')] });
    host.load({ manifest: extensionInfo('demo').manifest, url: 'mem://demo' });
    await vi.advanceTimersByTimeAsync(0);
    expect(strip(first.take())).toEqual([
      { type: 'extension_mounted', extensionId: 'demo', seq: 1 },
    ]);

    first.push(spawnFrame('p-1', 1));
    await vi.advanceTimersByTimeAsync(0);
    expect(strip(first.take())).toEqual([{ type: 'process_ready', processId: 'p-1', seq: 2 }]);
    expect(host.processes('demo').map((p) => p.processId)).toEqual(['p-1']);

    // Disconnected: the SDK queues, the bridge refuses nothing it was handed.
    first.drop(1006);
    sendToBackend?.('while away');
    vi.runOnlyPendingTimers();
    const second = fakes.last;
    second.accept();
    // The host restarted meanwhile: a new session.
    second.push(welcome({ frontendSessionId: 's-2', resumed: false }));
    await vi.advanceTimersByTimeAsync(0);
    expect(cleanups).toBe(1);
    expect(host.processes('demo')).toEqual([]);
    // The new session learns what is mounted, then gets the queued message; numbering restarts.
    const frames = strip(second.take());
    expect(frames.map((f) => [f.type, f.seq])).toEqual([
      ['extension_mounted', 1],
      ['backend_message', 2],
    ]);
    expect(frames.some((f) => f.type === 'process_ended')).toBe(false);
    host.close();
    bridge.close();
  });
});
