/// <reference types="node" />
/**
 * The acceptance list for runtime ↔ host and subprocess ↔ host messages, plus the IPC size
 * bound: a 1 MB message passes, one over `MAX_IPC_MESSAGE_BYTES` does not, and an
 * already-parsed message must be JSON (no cycles, dates, functions, bigints, non-finite numbers).
 */
import { describe, expect, it } from 'vitest';
import {
  defaultHostDescriptor,
  MAX_IPC_MESSAGE_BYTES,
  SpindleError,
  serializeError,
  validateBackendProcessToHost,
  validateHostToBackendProcess,
  validateHostToWorker,
  validateWorkerToHost,
} from '../src/index.ts';

const ONE_MB = 'm'.repeat(1_000_000);

describe('validateWorkerToHost', () => {
  it('refuses non-JSON, a missing type and an unknown type', () => {
    expect(validateWorkerToHost('{oops')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_JSON', path: '' },
    });
    expect(validateWorkerToHost({ requestId: 'r' })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', path: 'type', requestId: 'r' },
    });
    expect(validateWorkerToHost({ type: 'chat_send', requestId: 'r9' })).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE', path: 'type', frameType: 'chat_send', requestId: 'r9' },
    });
  });

  it('refuses wrong spawn options with the dotted path and the requestId to answer', () => {
    const result = validateWorkerToHost({
      type: 'frontend_process_spawn',
      requestId: 'r1',
      options: { kind: 42 },
    });
    expect(result).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: 'options.kind',
        frameType: 'frontend_process_spawn',
        requestId: 'r1',
      },
    });
    expect(
      validateWorkerToHost({
        type: 'backend_process_spawn',
        requestId: 'r2',
        options: { entry: '../../etc/passwd.js' },
      }),
    ).toMatchObject({ error: { code: 'INVALID_FRAME', path: 'options.entry' } });
    expect(
      validateWorkerToHost({ type: 'frontend_process_list', requestId: 'r3', filter: [] }),
    ).toMatchObject({ error: { code: 'INVALID_FRAME', path: 'filter' } });
  });

  it('passes a 1 MB message as text and as an object', () => {
    const message = { type: 'send_to_frontend', payload: { text: ONE_MB }, userId: 'u' };
    expect(validateWorkerToHost(JSON.stringify(message))).toEqual({ ok: true, value: message });
    expect(validateWorkerToHost(message)).toEqual({ ok: true, value: message });
  });

  it('refuses a message over MAX_IPC_MESSAGE_BYTES with FRAME_TOO_LARGE', () => {
    const payload = 'z'.repeat(MAX_IPC_MESSAGE_BYTES);
    const message = { type: 'send_to_frontend', payload };
    expect(validateWorkerToHost(JSON.stringify(message))).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', path: '' },
    });
    expect(validateWorkerToHost(message)).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', frameType: 'send_to_frontend' },
    });
    expect(validateWorkerToHost(message, { maxMessageBytes: 64 * 1024 * 1024 }).ok).toBe(true);
    expect(
      validateWorkerToHost(
        { type: 'log', level: 'info', message: ONE_MB },
        { maxMessageBytes: 1000 },
      ),
    ).toMatchObject({ error: { code: 'FRAME_TOO_LARGE' } });
  });

  it('refuses parsed messages that are not JSON, naming the field', () => {
    const cyclic: Record<string, unknown> = {};
    cyclic.self = cyclic;
    const cases: Array<[unknown, string]> = [
      [{ when: new Date(0) }, 'payload.when'],
      [{ fn: () => 1 }, 'payload.fn'],
      [{ big: 1n }, 'payload.big'],
      [{ n: Number.NaN }, 'payload.n'],
      [{ n: Number.POSITIVE_INFINITY }, 'payload.n'],
      [[1, undefined], 'payload.1'],
      [{ map: new Map() }, 'payload.map'],
      [cyclic, 'payload.self'],
      [Symbol('s'), 'payload'],
    ];
    for (const [payload, path] of cases) {
      const result = validateWorkerToHost({ type: 'send_to_frontend', payload });
      expect(result, path).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', path } });
    }
    // Shared (not circular) references are JSON: they are written twice.
    const shared = { a: 1 };
    expect(validateWorkerToHost({ type: 'send_to_frontend', payload: [shared, shared] }).ok).toBe(
      true,
    );
    // An undefined property is dropped by JSON, like an absent one.
    expect(validateWorkerToHost({ type: 'shutdown_complete', extra: undefined }).ok).toBe(true);
  });

  it('accepts a payload that was undefined (its key is lost on the wire)', () => {
    const sent = JSON.stringify({ type: 'send_to_frontend', payload: undefined });
    expect(validateWorkerToHost(sent)).toEqual({ ok: true, value: { type: 'send_to_frontend' } });
  });

  it('accepts a serialized error, cause chain included', () => {
    const error = new SpindleError('IMPORT_FAILED', 'entry threw', {
      cause: new TypeError('x is not a function'),
      details: { entry: 'dist/backend.js' },
    });
    const message = { type: 'init_failed', error: serializeError(error) };
    expect(validateWorkerToHost(JSON.stringify(message))).toEqual({ ok: true, value: message });
  });
});

describe('validateHostToWorker', () => {
  it('refuses a response that carries both a result and an error', () => {
    const error = { name: 'Error', message: 'm' };
    expect(validateHostToWorker({ type: 'response', requestId: 'r', result: 1 }).ok).toBe(true);
    expect(validateHostToWorker({ type: 'response', requestId: 'r', error }).ok).toBe(true);
    expect(
      validateHostToWorker({ type: 'response', requestId: 'r', result: 1, error }),
    ).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: '',
        message: 'host message "response": must carry a result or an error, not both',
        requestId: 'r',
      },
    });
  });

  it('refuses an unknown scope and a manifest with a bad identifier', () => {
    const init = {
      type: 'init',
      manifest: {
        version: '1',
        name: 'n',
        identifier: 'ok',
        author: '',
        github: '',
        homepage: '',
        permissions: [],
      },
      extensionPath: '/x',
      entryPath: '/x/dist/backend.js',
      storagePath: '/s',
      runtimeMode: 'process',
      scope: { kind: 'operator' },
      host: defaultHostDescriptor('ok'),
      services: [],
      grantedPermissions: [],
    };
    expect(validateHostToWorker(init)).toEqual({ ok: true, value: init });
    expect(validateHostToWorker({ ...init, scope: { kind: 'user' } })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'scope.userId' },
    });
    expect(validateHostToWorker({ ...init, runtimeMode: 'vm' })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'runtimeMode' },
    });
    expect(
      validateHostToWorker({ ...init, manifest: { ...init.manifest, identifier: '9lives' } }),
    ).toMatchObject({ error: { code: 'INVALID_FRAME', path: 'manifest.identifier' } });
  });
});

describe('validateBackendProcessToHost', () => {
  it('refuses non-JSON, a missing type, an unknown type and a wrong field type', () => {
    expect(validateBackendProcessToHost(Buffer.from('not json'))).toMatchObject({
      error: { code: 'INVALID_JSON' },
    });
    expect(validateBackendProcessToHost({})).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'type' },
    });
    expect(validateBackendProcessToHost({ type: 'exit' })).toMatchObject({
      error: { code: 'UNKNOWN_TYPE', path: 'type', frameType: 'exit' },
    });
    expect(validateBackendProcessToHost({ type: 'fail', error: { message: 'x' } })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'error', frameType: 'fail' },
    });
  });

  it('passes a 1 MB message and refuses one over the limit', () => {
    const message = { type: 'message', payload: [ONE_MB] };
    expect(validateBackendProcessToHost(message)).toEqual({ ok: true, value: message });
    expect(validateBackendProcessToHost(JSON.stringify(message))).toEqual({
      ok: true,
      value: message,
    });
    expect(validateBackendProcessToHost(message, { maxMessageBytes: 500_000 })).toMatchObject({
      error: { code: 'FRAME_TOO_LARGE' },
    });
  });

  it('strips the __spindle brand with the other unknown keys', () => {
    expect(validateBackendProcessToHost({ type: 'heartbeat', __spindle: 1 })).toEqual({
      ok: true,
      value: { type: 'heartbeat' },
    });
  });
});

describe('validateHostToBackendProcess', () => {
  it('refuses an init without a usable process', () => {
    expect(validateHostToBackendProcess({ type: 'init' })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'process' },
    });
    expect(
      validateHostToBackendProcess({
        type: 'init',
        process: { processId: 'p', entry: 'dist/a.js', entryPath: '/x/dist/a.js', kind: '' },
      }),
    ).toMatchObject({ error: { code: 'INVALID_FRAME', path: 'process.kind' } });
    expect(validateHostToBackendProcess('{"type":"stop","reason":5}')).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'reason' },
    });
  });
});
