/**
 * The acceptance list, held against every protocol at once: non-JSON, a missing `type`,
 * an unknown `type`, a wrong field type and an oversized message are refused with a code and a
 * path (the version mismatch, which only the handshake has, is in `wire-rejections.test.ts`).
 */
import { describe, expect, it } from 'vitest';
import { DEFAULT_WIRE_LIMITS, MAX_IPC_MESSAGE_BYTES } from '../src/index.ts';
import { PROTOCOLS } from './fixtures/protocols.ts';

const WIRE = new Set(['ClientFrame', 'ServerFrame']);

describe.each(PROTOCOLS)('$name', (protocol) => {
  const limit = WIRE.has(protocol.name) ? DEFAULT_WIRE_LIMITS.maxFrameBytes : MAX_IPC_MESSAGE_BYTES;
  const withPayload = protocol.messages.find((m) => m.free?.payload !== undefined)!;
  const withRequired = protocol.messages.find((m) => Object.keys(m.required ?? {}).length > 0)!;

  it('refuses non-JSON text with INVALID_JSON', () => {
    expect(protocol.validate('{"type": "x"')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_JSON', path: '' },
    });
  });

  it('refuses a missing type with INVALID_FRAME at "type"', () => {
    expect(protocol.validate('{"payload": 1}')).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', path: 'type' },
    });
  });

  it('refuses an unknown type with UNKNOWN_TYPE at "type"', () => {
    expect(protocol.validate('{"type": "no_such_message"}')).toMatchObject({
      ok: false,
      error: { code: 'UNKNOWN_TYPE', path: 'type', frameType: 'no_such_message' },
    });
  });

  it('refuses a wrong field type with INVALID_FRAME at that field', () => {
    const type = withRequired.type;
    const field = Object.keys(withRequired.required!)[0]!;
    const result = protocol.validate(JSON.stringify({ type, [field]: { wrong: true } }));
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', frameType: type } });
    if (!result.ok) expect(result.error.path.split('.')[0]).toBe(field);
  });

  it('refuses a message over its limit with FRAME_TOO_LARGE', () => {
    const message = { type: withPayload.type, payload: 'p'.repeat(limit) };
    expect(protocol.validate(JSON.stringify(message))).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', path: '' },
    });
    expect(protocol.validate(message)).toMatchObject({
      ok: false,
      error: { code: 'FRAME_TOO_LARGE', frameType: withPayload.type },
    });
  });
});
