/**
 * `MAX_JSON_DEPTH` on input that arrives as text: the host parses WebSocket messages and
 * runtime messages itself, and a payload nested deeper than the limit is refused with an error
 * that names the limit and the frame's `seq`, alone in its batch.
 */
import { describe, expect, it } from 'vitest';
import {
  MAX_JSON_DEPTH,
  validateClientFrame,
  validateClientMessage,
  validateWorkerToHost,
} from '../src/index.ts';
import { depthPath } from '../src/validate/json.ts';

/** JSON text of `levels` nested arrays with a number at the bottom. */
function nestedText(levels: number): string {
  return `${'['.repeat(levels)}1${']'.repeat(levels)}`;
}

/** A `backend_message` frame whose payload is `levels` nested arrays (the frame adds one). */
function deepFrame(seq: number, levels: number): string {
  return `{"type":"backend_message","extensionId":"ext","seq":${seq},"payload":${nestedText(levels)}}`;
}

const ok = (seq: number) => ({ type: 'backend_message', extensionId: 'ext', payload: seq, seq });

describe('depthPath', () => {
  it('finds the first container past the limit and says where it is', () => {
    expect(depthPath(1)).toBeUndefined();
    expect(depthPath(JSON.parse(nestedText(MAX_JSON_DEPTH)))).toBeUndefined();
    expect(depthPath(JSON.parse(nestedText(MAX_JSON_DEPTH + 1)))).toHaveLength(MAX_JSON_DEPTH);
    expect(depthPath({ a: [0, { b: { c: {} } }] }, 3)).toEqual(['a', '1', 'b']);
  });

  it('walks 100,000 levels without exhausting the stack', () => {
    expect(depthPath(JSON.parse(nestedText(100_000)))).toHaveLength(MAX_JSON_DEPTH);
  });
});

describe('client frames from text', () => {
  it('accepts a frame nested exactly to the limit', () => {
    // The frame object is level 1, so its payload may hold MAX_JSON_DEPTH - 1 levels.
    expect(validateClientFrame(deepFrame(1, MAX_JSON_DEPTH - 1)).ok).toBe(true);
  });

  it('refuses one level more with INVALID_FRAME naming the limit, the field and the seq', () => {
    const result = validateClientFrame(deepFrame(7, MAX_JSON_DEPTH));
    expect(result).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', seq: 7, frameType: 'backend_message' },
    });
    if (result.ok) return;
    expect(result.error.path.startsWith('payload')).toBe(true);
    expect(result.error.message).toContain(`deeper than ${MAX_JSON_DEPTH} levels`);
    expect(result.error.message).toContain('MAX_JSON_DEPTH');
  });

  it('refuses a frame nested 100,000 deep, as text and as bytes', () => {
    const text = deepFrame(3, 100_000);
    for (const input of [text, new TextEncoder().encode(text)]) {
      expect(validateClientFrame(input)).toMatchObject({
        ok: false,
        error: { code: 'INVALID_FRAME', seq: 3 },
      });
    }
  });

  it('in a batch, refuses the deep frame alone and keeps the frames around it', () => {
    const text = `[${JSON.stringify(ok(1))},${deepFrame(2, 100_000)},${JSON.stringify(ok(3))}]`;
    const result = validateClientMessage(text);
    if (!result.ok) throw new Error('the batch itself is readable');
    expect(result.frames).toHaveLength(3);
    expect(result.frames[0]).toEqual({ ok: true, value: ok(1) });
    expect(result.frames[1]).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', seq: 2 } });
    expect(result.frames[2]).toEqual({ ok: true, value: ok(3) });
  });
});

describe('runtime messages from text', () => {
  it('are held to the same limit', () => {
    const text = `{"type":"send_to_frontend","userId":"u","payload":${nestedText(MAX_JSON_DEPTH)}}`;
    expect(validateWorkerToHost(text)).toMatchObject({
      ok: false,
      error: { code: 'INVALID_FRAME', frameType: 'send_to_frontend' },
    });
  });
});

describe('what is walked', () => {
  it('only the free JSON fields: an unknown key nested past the limit is stripped like any unknown key', () => {
    const text = `{"type":"ack","seq":1,"junk":${nestedText(MAX_JSON_DEPTH + 5)}}`;
    expect(validateClientFrame(text)).toEqual({ ok: true, value: { type: 'ack', seq: 1 } });
  });
});
