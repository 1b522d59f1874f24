/**
 * One message that JSON cannot write never takes the other messages of its batch down, in
 * every runtime mode: frontend messages handed to a real runtime in one tick (so they share one
 * IPC or Worker batch), two of them poisoned. The wire's own validation would stop these before
 * the host; the fake gateway hands them on as a host-side bug would, so the channel's isolation
 * is what is tested.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { RUNTIME_MODES } from '@spindle/types';
import { ask, closeTestHosts, descendants, startTestHost, waitUntil } from './helpers.ts';

afterEach(async () => {
  await closeTestHosts();
  expect(descendants(process.pid)).toEqual([]);
});

describe.each(RUNTIME_MODES)('%s mode', (mode) => {
  test('the other messages of the batch arrive, each exactly once, in order', async () => {
    const t = await startTestHost(mode, { enable: ['probe'] });
    t.gateway.open('s1', 'alice', ['probe']);
    await ask(t, 's1', 'pid'); // the runtime is up and answering
    const cyclic: Record<string, unknown> = { op: 'echo', id: 'cyclic' };
    cyclic.payload = cyclic;
    const sent = [
      { op: 'echo', id: 'a', payload: 1 },
      { op: 'echo', id: 'poison-bigint', payload: 10n },
      { op: 'echo', id: 'b', payload: 2 },
      cyclic,
      { op: 'echo', id: 'c', payload: 3 },
    ];
    for (const message of sent) t.gateway.sendToBackend('s1', 'probe', message);
    const echoed = () =>
      t.gateway.delivered
        .map((d) => (d.message as { payload?: { op?: string; id?: unknown } }).payload)
        .filter((p) => p?.op === 'echo')
        .map((p) => p?.id);
    await waitUntil(() => echoed().length >= 3, 8_000, 'the three echoes');
    await Bun.sleep(100); // nothing arrives twice, or late
    expect(echoed()).toEqual(['a', 'b', 'c']);
    const dropped = t.logs.filter((l) =>
      l.message.startsWith('a frontend_message message to the runtime was dropped'),
    );
    expect(dropped).toHaveLength(2);
  });
});
