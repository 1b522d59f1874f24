import type { BackendProcessToHost } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import {
  BackendProcessRuntime,
  type ChildHost,
} from '../../../src/processes/backend/child/process-runtime.ts';

function makeHost() {
  const sent: BackendProcessToHost[] = [];
  const exits: number[] = [];
  const reports: string[] = [];
  const host: ChildHost = {
    post: async (message) => {
      sent.push(message);
    },
    exit: (code) => exits.push(code),
    report: (line) => reports.push(line),
  };
  return { host, sent, exits, reports };
}

const init = {
  processId: 'bp-1',
  entry: 'dist/a.js',
  entryPath: '/x/dist/a.js',
  kind: 'k',
  payload: 1,
};
const settle = () => new Promise((resolve) => setTimeout(resolve, 5));

describe('backend process child runtime', () => {
  it('ready once, cleanup exactly once, one terminal message, then exit', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    let cleanups = 0;
    rt.run((ctx) => {
      ctx.ready();
      ctx.ready();
      ctx.complete({ ok: 1 });
      ctx.complete();
      ctx.fail('late');
      return () => {
        cleanups += 1;
      };
    });
    await settle();
    expect(cleanups).toBe(1);
    expect(h.sent).toEqual([{ type: 'ready' }, { type: 'complete', result: { ok: 1 } }]);
    expect(h.exits).toEqual([0]);
    rt.ctx.heartbeat();
    rt.ctx.send('x');
    await settle();
    expect(h.sent).toHaveLength(2);
  });

  it('stop without onStop handlers completes, which the host reads as stopped', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    rt.run((ctx) => ctx.ready());
    rt.stop('bye');
    await settle();
    expect(h.sent.at(-1)).toEqual({ type: 'stopped' });
  });

  it('onStop handlers get the reason; the process runs on until it completes (→ stopped)', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    const reasons: Array<string | undefined> = [];
    let complete: () => void = () => {};
    rt.run((ctx) => {
      ctx.ready();
      complete = () => ctx.complete();
      ctx.onStop(async ({ reason }) => {
        reasons.push(reason);
      });
    });
    rt.stop('maintenance');
    await settle();
    await settle();
    expect(reasons).toEqual(['maintenance']);
    // Returning from the handler is not an acknowledgement: nothing terminal was sent.
    expect(h.sent).toEqual([{ type: 'ready' }]);
    expect(h.exits).toEqual([]);
    complete();
    await settle();
    expect(h.sent.at(-1)).toEqual({ type: 'stopped' });
    expect(h.exits).toEqual([0]);
  });

  it('a throwing or rejecting onStop handler is reported and ends nothing; fail() still fails', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    let fail: () => void = () => {};
    rt.run((ctx) => {
      fail = () => ctx.fail('gave up');
      ctx.onStop(() => {
        throw new Error('nope');
      });
      ctx.onStop(async () => {
        throw new Error('later');
      });
    });
    rt.stop(undefined);
    await settle();
    await settle();
    expect(h.reports.join('\n')).toContain('onStop handler failed: nope');
    expect(h.reports.join('\n')).toContain('onStop handler failed: later');
    expect(h.sent).toEqual([]);
    fail();
    await settle();
    expect(h.sent.at(-1)).toEqual({ type: 'fail', error: 'gave up' });
    expect(h.exits).toEqual([1]);
  });

  it('a cleanup that throws turns the outcome into fail and is reported', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    rt.run((ctx) => {
      setTimeout(() => ctx.complete(), 0);
      return () => {
        throw new Error('boom');
      };
    });
    await settle();
    await settle();
    expect(h.sent.at(-1)).toEqual({ type: 'fail', error: 'cleanup failed: boom' });
    expect(h.reports.join('\n')).toContain('cleanup of process bp-1 failed: boom');
  });

  it('an async handler that rejects fails; its late cleanup still runs once', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    rt.run(async () => {
      throw new Error('late');
    });
    await settle();
    expect(h.sent).toEqual([{ type: 'fail', error: 'handler rejected: late' }]);
  });

  it('messages before the handler subscribed are delivered after it ran; handler errors are reported', async () => {
    const h = makeHost();
    const rt = new BackendProcessRuntime(init, h.host);
    rt.deliver('early');
    const got: unknown[] = [];
    rt.run((ctx) => {
      ctx.onMessage((payload) => got.push(payload));
      ctx.onMessage(() => {
        throw new Error('bad handler');
      });
    });
    rt.deliver('later');
    expect(got).toEqual(['early', 'later']);
    expect(h.reports.filter((r) => r.includes('bad handler'))).toHaveLength(2);
  });
});
