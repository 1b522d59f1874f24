import type { SpindleFrontendContext } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import {
  createExtensionHost,
  createMemoryTransport,
  type DropEvent,
  type SendOutcome,
  type Transport,
} from '../src/index.ts';

describe('a transport that refuses a message', () => {
  it('is a drop: the outcome, an event and the counter say so', async () => {
    const { transport } = createMemoryTransport();
    let refuse = false;
    const refusing: Transport = {
      send: (message) => (refuse ? false : transport.send(message)),
      onMessage: (handler) => transport.onMessage(handler),
      get state() {
        return transport.state;
      },
      onStateChange: (handler) => transport.onStateChange(handler),
    };
    let ctx: SpindleFrontendContext | undefined;
    const host = createExtensionHost({
      transport: refusing,
      document: null,
      yieldToBrowser: () => Promise.resolve(),
      loader: async () => ({
        setup: (c: SpindleFrontendContext) => {
          ctx = c;
        },
      }),
    });
    const drops: DropEvent[] = [];
    host.events.on('dropped', (event) => drops.push(event));
    await host.load({
      manifest: {
        version: '1',
        name: 'x',
        identifier: 'x',
        author: '',
        github: '',
        homepage: '',
        permissions: [],
      },
      source: 'export {}',
    }).settled;
    expect(ctx?.sendToBackend('fine') as unknown as SendOutcome).toBe('sent');
    refuse = true;
    expect(ctx?.sendToBackend('refused') as unknown as SendOutcome).toBe('dropped');
    expect(drops).toEqual([
      expect.objectContaining({ what: 'uplink', reason: 'transport_error', direction: 'out' }),
    ]);
    expect(host.stats().uplinkDropped).toBe(1);
    host.close();
  });
});
