/// <reference types="node" />
/**
 * The acceptance list for the browser ↔ host wire: non-JSON, a missing `type`, an unknown
 * `type`, a wrong field type, an oversized frame and a protocol version mismatch are each
 * refused with a stable code and a path, and name the offending frame where they can.
 */
import { describe, expect, it } from 'vitest';
import {
  DEFAULT_WIRE_LIMITS,
  PROTOCOL_VERSION,
  validateClientFrame,
  validateServerFrame,
} from '../src/index.ts';

const hello = { type: 'hello', protocolVersion: PROTOCOL_VERSION, token: 't' };
const welcome = {
  type: 'welcome',
  protocolVersion: PROTOCOL_VERSION,
  frontendSessionId: 's-1',
  userId: 'u-1',
  resumed: false,
  lastClientSeq: 0,
  isAdmin: false,
  extensions: [],
  limits: DEFAULT_WIRE_LIMITS,
};

describe('validateClientFrame', () => {
  it('refuses text that is not JSON with INVALID_JSON', () => {
    expect(validateClientFrame('{"type":')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_JSON', path: '' },
    });
    expect(validateClientFrame(new Uint8Array([0xff, 0xfe, 0x7b]))).toMatchObject({
      ok: false,
      error: { code: 'INVALID_JSON', path: '' },
    });
  });

  it('refuses JSON that is not an object with INVALID_FRAME at the root', () => {
    for (const text of ['null', '[]', '42', '"hello"']) {
      expect(validateClientFrame(text)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_FRAME', path: '' },
      });
    }
  });

  it('refuses a missing or non-string type with INVALID_FRAME at "type"', () => {
    expect(validateClientFrame('{"seq":4}')).toEqual({
      ok: false,
      error: { code: 'INVALID_FRAME', path: 'type', message: 'client frame has no "type"', seq: 4 },
    });
    expect(validateClientFrame({ type: 7 })).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', path: 'type' },
    });
  });

  it('refuses an unknown type with UNKNOWN_TYPE and echoes it', () => {
    const result = validateClientFrame('{"type":"teleport","seq":9}');
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE', path: 'type', seq: 9, frameType: 'teleport' },
    });
  });

  it('refuses a wrong field type with INVALID_FRAME and the dotted path', () => {
    const result = validateClientFrame({ type: 'process_ready', processId: 12, seq: 3 });
    expect(result).toEqual({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: 'processId',
        message: 'client frame "process_ready": processId: expected string, received number 12',
        seq: 3,
        frameType: 'process_ready',
      },
    });
  });

  it('requires seq on sequenced frames to be a positive safe integer', () => {
    for (const seq of [0, -1, 1.5, 2 ** 53, '1']) {
      const result = validateClientFrame({ type: 'process_heartbeat', processId: 'p', seq });
      expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', path: 'seq' } });
    }
    const missing = validateClientFrame({ type: 'subscribe_stats' });
    expect(missing).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: 'seq',
        message: 'client frame "subscribe_stats": seq is required',
      },
    });
    expect(validateClientFrame({ type: 'ack', seq: 0 }).ok).toBe(true);
  });

  it('refuses a frame over maxFrameBytes with FRAME_TOO_LARGE before parsing it', () => {
    const payload = 'x'.repeat(DEFAULT_WIRE_LIMITS.maxFrameBytes);
    const frame = JSON.stringify({ type: 'backend_message', extensionId: 'e', seq: 1, payload });
    expect(validateClientFrame(frame)).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', path: '' },
    });
    // Not even parsed: broken JSON over the limit is still "too large".
    expect(validateClientFrame(`{${frame}`)).toMatchObject({ error: { code: 'FRAME_TOO_LARGE' } });
    expect(validateClientFrame(Buffer.from(frame))).toMatchObject({
      error: { code: 'FRAME_TOO_LARGE' },
    });
    const small = JSON.stringify({
      type: 'backend_message',
      extensionId: 'e',
      seq: 1,
      payload: 'x'.repeat(200),
    });
    expect(validateClientFrame(small, { maxFrameBytes: 100 })).toMatchObject({
      error: { code: 'FRAME_TOO_LARGE' },
    });
    expect(validateClientFrame(small, { maxFrameBytes: 1000 }).ok).toBe(true);
  });

  it('measures multi-byte characters in bytes, not characters', () => {
    const frame = JSON.stringify({
      type: 'backend_message',
      extensionId: 'e',
      seq: 1,
      payload: 'é'.repeat(100),
    });
    expect(frame.length).toBeLessThan(200);
    expect(Buffer.byteLength(frame)).toBeGreaterThan(200);
    expect(validateClientFrame(frame, { maxFrameBytes: 200 })).toMatchObject({
      error: { code: 'FRAME_TOO_LARGE' },
    });
  });

  it('refuses an already-parsed frame over the limit too', () => {
    const frame = { type: 'backend_message', extensionId: 'e', seq: 1, payload: 'x'.repeat(2_000) };
    expect(validateClientFrame(frame, { maxFrameBytes: 1_000 })).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', seq: 1, frameType: 'backend_message' },
    });
  });

  it('refuses a hello of another protocol version with PROTOCOL_VERSION_MISMATCH', () => {
    const result = validateClientFrame(JSON.stringify({ ...hello, protocolVersion: 1 }));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL_VERSION_MISMATCH', path: 'protocolVersion', frameType: 'hello' },
    });
    if (!result.ok) expect(result.error.message).toMatch(/version 1.*speaks 2/);
    // A newer client may change the rest of hello: the version is judged first.
    expect(validateClientFrame({ type: 'hello', protocolVersion: 3 })).toMatchObject({
      error: { code: 'PROTOCOL_VERSION_MISMATCH' },
    });
    expect(validateClientFrame({ ...hello, protocolVersion: '2' })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'protocolVersion' },
    });
  });

  it('accepts the same frame as text, Buffer, Uint8Array, ArrayBuffer and object', () => {
    const text = JSON.stringify(hello);
    const bytes = new TextEncoder().encode(text);
    for (const input of [text, Buffer.from(text), bytes, bytes.buffer, hello]) {
      expect(validateClientFrame(input)).toEqual({ ok: true, value: hello });
    }
  });

  it('strips unknown keys', () => {
    const result = validateClientFrame({ ...hello, extra: 1, __spindle: 1 });
    expect(result).toEqual({ ok: true, value: hello });
  });
});

describe('validateServerFrame', () => {
  it('accepts a welcome and refuses one of another protocol version', () => {
    expect(validateServerFrame(JSON.stringify(welcome))).toEqual({ ok: true, value: welcome });
    expect(validateServerFrame({ ...welcome, protocolVersion: 0 })).toMatchObject({
      ok: false,
      error: { code: 'PROTOCOL_VERSION_MISMATCH', path: 'protocolVersion' },
    });
  });

  it('refuses non-JSON, a missing type and an unknown type', () => {
    expect(validateServerFrame('nope')).toMatchObject({ error: { code: 'INVALID_JSON' } });
    expect(validateServerFrame('{}')).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'type' },
    });
    expect(validateServerFrame('{"type":"hello"}')).toMatchObject({
      error: { code: 'UNKNOWN_TYPE', path: 'type' },
    });
  });

  it('names nested fields by their dotted path', () => {
    const broken = {
      ...welcome,
      extensions: [
        {
          identifier: 'ok',
          state: 'running',
          manifest: {
            version: '1',
            name: 'n',
            identifier: 'Bad-Id',
            author: '',
            github: '',
            homepage: '',
            permissions: [],
          },
        },
      ],
    };
    expect(validateServerFrame(broken)).toMatchObject({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: 'extensions.0.manifest.identifier',
        frameType: 'welcome',
      },
    });
    const spawn = {
      type: 'process_spawn',
      extensionId: 'e',
      processId: 'p',
      kind: '   ',
      startupTimeoutMs: 15_000,
      heartbeatTimeoutMs: 15_000,
      seq: 2,
    };
    expect(validateServerFrame(spawn)).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'kind', seq: 2 },
    });
    expect(validateServerFrame({ ...spawn, kind: 'k', startupTimeoutMs: 500 })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'startupTimeoutMs' },
    });
  });

  it('refuses an error frame with a code the project does not have', () => {
    expect(validateServerFrame({ type: 'error', code: 'INVALID_FRAME', message: 'm' }).ok).toBe(
      true,
    );
    expect(validateServerFrame({ type: 'error', code: 'NOPE', message: 'm' })).toMatchObject({
      error: { code: 'INVALID_FRAME', path: 'code' },
    });
  });

  it('refuses an oversized frame', () => {
    const frame = JSON.stringify({
      type: 'backend_message',
      extensionId: 'e',
      seq: 1,
      payload: 'y'.repeat(1_100_000),
    });
    expect(validateServerFrame(frame)).toMatchObject({ error: { code: 'FRAME_TOO_LARGE' } });
  });
});
