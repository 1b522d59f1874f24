/**
 * Inputs built to break a validator: getters and proxies that throw, cycles, deep nesting,
 * huge strings, prototype-pollution keys. Every validator answers with a result, never a throw,
 * and nothing leaks onto `Object.prototype`.
 */
import { afterEach, describe, expect, it } from 'vitest';
import { validateClientFrame, validateWorkerToHost } from '../src/index.ts';
import { ALL_VALIDATORS } from './fixtures/validators.ts';

function throwingGetter(key: string, base: Record<string, unknown> = {}): object {
  return Object.defineProperty({ ...base }, key, {
    enumerable: true,
    get() {
      throw new Error(`getter ${key} exploded`);
    },
  });
}

const throwingProxy = new Proxy(
  {},
  {
    get() {
      throw new Error('get trap');
    },
    has() {
      throw new Error('has trap');
    },
    ownKeys() {
      throw new Error('ownKeys trap');
    },
    getPrototypeOf() {
      throw new Error('getPrototypeOf trap');
    },
    getOwnPropertyDescriptor() {
      throw new Error('descriptor trap');
    },
  },
);
const revoked = Proxy.revocable({}, {});
revoked.revoke();

const cyclic: Record<string, unknown> = { type: 'backend_message', extensionId: 'e', seq: 1 };
cyclic.payload = cyclic;

let deep: unknown = 'bottom';
for (let i = 0; i < 100_000; i++) deep = [deep];

const HOSTILE: Array<[string, unknown]> = [
  ['a getter on type that throws', throwingGetter('type')],
  ['a getter on seq that throws', throwingGetter('seq', { type: 'ack' })],
  [
    'a getter inside the payload',
    { type: 'backend_message', extensionId: 'e', seq: 1, payload: throwingGetter('x') },
  ],
  [
    'a getter on a nested option',
    { type: 'frontend_process_spawn', requestId: 'r', options: throwingGetter('kind') },
  ],
  [
    'a getter that throws a non-Error',
    Object.defineProperty({}, 'type', {
      enumerable: true,
      get: () => {
        throw 42;
      },
    }),
  ],
  ['a proxy whose traps throw', throwingProxy],
  ['a revoked proxy', revoked.proxy],
  ['a cyclic object', cyclic],
  ['100 000 nested arrays', { type: 'backend_message', extensionId: 'e', seq: 1, payload: deep }],
  [
    '100 000 nested arrays as JSON text',
    `{"type":"message","payload":${'['.repeat(100_000)}${']'.repeat(100_000)}}`,
  ],
  ['a 20 MB string', 'x'.repeat(20_000_000)],
  ['a 20 MB buffer', new Uint8Array(20_000_000)],
  [
    'an object with 200 000 keys',
    Object.fromEntries(Array.from({ length: 200_000 }, (_, i) => [`k${i}`, i])),
  ],
  ['a function', () => ({ type: 'ready' })],
  ['a symbol', Symbol('type')],
  ['a bigint', 10n],
  ['undefined', undefined],
  ['an object with a null prototype', Object.assign(Object.create(null), { type: 'ready' })],
  [
    'an object with a class prototype',
    new (class Frame {
      type = 'ready';
    })(),
  ],
];

afterEach(() => {
  expect(Object.prototype).not.toHaveProperty('polluted');
  expect(Object.prototype).not.toHaveProperty('isAdmin');
});

describe.each(ALL_VALIDATORS)('%s on hostile input', (_name, validate) => {
  it.each(HOSTILE)('answers %s without throwing', (_label, input) => {
    const result = validate(input);
    expect(typeof result.ok).toBe('boolean');
    if (!result.ok) expect(result.error.message).toBeTypeOf('string');
  });
});

describe('prototype-pollution keys', () => {
  const texts = [
    '{"type":"ack","seq":1,"__proto__":{"polluted":true}}',
    '{"type":"ack","seq":1,"constructor":{"prototype":{"polluted":true}}}',
    '{"type":"backend_message","extensionId":"e","seq":1,"payload":{"__proto__":{"polluted":true}}}',
    '{"__proto__":{"type":"ack","seq":1}}',
  ];

  it.each(texts)('leaves Object.prototype alone for %s', (text) => {
    const result = validateClientFrame(text);
    if (result.ok) {
      expect(Object.keys(result.value)).not.toContain('__proto__');
      expect(Object.getPrototypeOf(result.value)).toBe(Object.prototype);
      expect((result.value as { polluted?: unknown }).polluted).toBeUndefined();
    }
  });

  it('does not take a type from the prototype chain', () => {
    const result = validateClientFrame('{"__proto__":{"type":"ack","seq":1}}');
    expect(result).toMatchObject({ ok: false, error: { code: 'INVALID_FRAME', path: 'type' } });
  });

  it('drops a __proto__ key from an accepted frame', () => {
    const result = validateClientFrame('{"type":"ack","seq":1,"__proto__":{"isAdmin":true}}');
    expect(result).toEqual({ ok: true, value: { type: 'ack', seq: 1 } });
  });

  it('says why a getter failed', () => {
    expect(validateWorkerToHost(throwingGetter('type'))).toEqual({
      ok: false,
      error: {
        code: 'INVALID_FRAME',
        path: '',
        message: 'runtime message could not be read: getter type exploded',
      },
    });
  });
});
