/** `RequestTable` of the runtime child: errors keep the project's error class, loaded lazily. */
import { isSpindleError, SpindleError, serializeError } from '@spindle/types';
import { describe, expect, it } from 'vitest';
import { type RequestMessage, RequestTable } from '../../src/runtime/child/rpc.ts';

function table() {
  const sent: RequestMessage[] = [];
  return { sent, rpc: new RequestTable((message) => sent.push(message)) };
}

describe('RequestTable', () => {
  it('rejects with the deserialized SpindleError of an error response', async () => {
    const { sent, rpc } = table();
    const pending = rpc.request({ type: 'storage', op: 'read', path: 'a.txt' });
    const error = new SpindleError('STORAGE_IO', 'gone', { details: { reason: 'not_found' } });
    rpc.settle(sent[0]!.requestId, undefined, serializeError(error));
    const got = await pending.catch((e: unknown) => e);
    expect(isSpindleError(got, 'STORAGE_IO')).toBe(true);
    expect(rpc.size).toBe(0);
  });

  it('close rejects pending and later requests with EXTENSION_UNLOADED before it resolves', async () => {
    const { rpc } = table();
    const outcomes: unknown[] = [];
    const pending = rpc
      .request({ type: 'storage', op: 'read', path: 'a.txt' })
      .catch((e: unknown) => outcomes.push(e));
    await rpc.close('shutting down');
    await pending;
    expect(outcomes).toHaveLength(1);
    expect(isSpindleError(outcomes[0], 'EXTENSION_UNLOADED')).toBe(true);
    const later = await rpc
      .request({ type: 'storage', op: 'exists', path: 'b' })
      .catch((e: unknown) => e);
    expect(later).toBe(outcomes[0]);
    await rpc.close('again');
    expect(rpc.size).toBe(0);
  });

  it('fail rejects that one request with the given error; a late response for it is ignored', async () => {
    const { sent, rpc } = table();
    const failed = rpc.request({ type: 'storage', op: 'read', path: 'a.txt' });
    const other = rpc.request({ type: 'storage', op: 'read', path: 'b.txt' });
    const error = new SpindleError('INVALID_OPTIONS', 'not JSON');
    rpc.fail(sent[0]!.requestId, error);
    expect(await failed.catch((e: unknown) => e)).toBe(error);
    rpc.settle(sent[0]!.requestId, 'late', undefined);
    rpc.fail('r-unknown', error);
    rpc.settle(sent[1]!.requestId, 'b', undefined);
    expect(await other).toBe('b');
    expect(rpc.size).toBe(0);
  });
});
