import { describe, expect, it, vi } from 'vitest';
import { createMemoryTransport } from '../src/transport.ts';

describe('memory transport', () => {
  it('links the SDK end and the host end both ways, synchronously', () => {
    const { transport, remote } = createMemoryTransport();
    const down = vi.fn();
    const up = vi.fn();
    const offDown = transport.onMessage(down);
    remote.onMessage(up);
    transport.send({ type: 'extension_mounted', extensionId: 'x' });
    remote.send({ type: 'extension_removed', extensionId: 'x' });
    expect(up).toHaveBeenCalledWith({ type: 'extension_mounted', extensionId: 'x' });
    expect(down).toHaveBeenCalledWith({ type: 'extension_removed', extensionId: 'x' });
    expect(remote.take()).toEqual([{ type: 'extension_mounted', extensionId: 'x' }]);
    expect(remote.received).toEqual([]);
    offDown();
    remote.send({ type: 'extension_removed', extensionId: 'y' });
    expect(down).toHaveBeenCalledTimes(1);
  });

  it('reports state changes and refuses sends unless open', () => {
    const { transport, remote } = createMemoryTransport({ state: 'connecting' });
    const states: string[] = [];
    transport.onStateChange((s) => states.push(s));
    expect(transport.state).toBe('connecting');
    expect(() => transport.send({ type: 'subscribe_stats' })).toThrow(/while connecting/);
    expect(() => remote.send({ type: 'extension_removed', extensionId: 'x' })).toThrow(
      /while connecting/,
    );
    remote.setState('open');
    remote.setState('open');
    remote.setState('closed');
    expect(states).toEqual(['open', 'closed']);
  });
});
