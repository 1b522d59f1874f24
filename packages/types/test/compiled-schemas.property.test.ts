/**
 * The compiled schemas (`validate/compile.ts`) against valibot itself: for every schema of every
 * protocol, on valid, mutated and arbitrary input, a compiled schema accepts exactly what
 * valibot accepts, with an equal output; and the schema kinds it does not support are left to
 * valibot rather than guessed at.
 */
import fc from 'fast-check';
import * as v from 'valibot';
import { describe, expect, it } from 'vitest';
import {
  CODE_GENERATION,
  compiledSchema,
  compileSchema,
  REFUSED,
} from '../src/validate/compile.ts';
import type { FrameProtocol } from '../src/validate/frame.ts';
import { manifestSchema } from '../src/validate/manifest.ts';
import { BACKEND_TO_HOST, HOST_TO_BACKEND } from '../src/validate/subprocess.ts';
import { CLIENT, SERVER } from '../src/validate/wire.ts';
import { HOST_TO_WORKER, WORKER_TO_HOST } from '../src/validate/worker.ts';
import { messageArb, PROTOCOLS } from './fixtures/protocols.ts';

const DESCRIPTIONS: Record<string, FrameProtocol> = {
  'client frames': CLIENT,
  'server frames': SERVER,
  'worker → host': WORKER_TO_HOST,
  'host → worker': HOST_TO_WORKER,
  'subprocess → host': BACKEND_TO_HOST,
  'host → subprocess': HOST_TO_BACKEND,
};

/** The protocol whose `type`s are those of `spec`'s messages. */
function descriptionOf(listed: readonly string[]): FrameProtocol {
  const types = [...new Set(listed)];
  const found = Object.values(DESCRIPTIONS).find(
    (d) => d.schemas.size === types.length && types.every((t) => d.schemas.has(t)),
  );
  if (!found) throw new Error(`no protocol description has the types ${types.join(', ')}`);
  return found;
}

const CONFIG = { abortEarly: true } as const;

/**
 * Compiled and valibot agree on `input`: same verdict, equal output, both with closures and with
 * generated object and pipe functions.
 */
function expectAgreement(schema: v.GenericSchema, input: unknown): void {
  const slow = v.safeParse(schema, input, CONFIG);
  for (const generate of [false, true]) {
    const compiled = compileSchema(schema, { generate });
    if (compiled === undefined) throw new Error('schema did not compile');
    const fast = compiled(input);
    expect(fast !== REFUSED).toBe(slow.success);
    if (slow.success) expect(fast).toStrictEqual(slow.output);
  }
}

const WRONG: readonly unknown[] = [
  undefined,
  null,
  0,
  -1,
  1.5,
  Number.NaN,
  Number.MAX_SAFE_INTEGER + 2,
  '',
  ' ',
  'x'.repeat(300),
  true,
  [],
  {},
  [1],
];

/** `message` broken one way: a key deleted, a value replaced, a key added. */
function mutationArb(base: fc.Arbitrary<Record<string, unknown>>) {
  return fc
    .tuple(base, fc.nat(), fc.constantFrom(...WRONG), fc.string(), fc.nat(2))
    .map(([message, n, wrong, extraKey, how]) => {
      const keys = Object.keys(message);
      const key = keys[n % keys.length] as string;
      const out: Record<string, unknown> = { ...message };
      if (how === 0) delete out[key];
      else if (how === 1) out[key] = wrong;
      else out[extraKey] = wrong;
      return out;
    });
}

describe.each(PROTOCOLS)('compiled $name schemas', (spec) => {
  const description = descriptionOf(spec.messages.map((m) => m.type));
  const schemaOf = (message: Record<string, unknown>) =>
    description.schemas.get(message.type as string) as v.GenericSchema;

  it('compiles every schema of the protocol (the fast path is not silently lost)', () => {
    for (const [type, schema] of description.schemas) {
      if (
        compileSchema(schema) === undefined &&
        !UNSUPPORTED_BY_DESIGN.has(`${spec.name} ${type}`)
      ) {
        throw new Error(`${spec.name} "${type}" no longer compiles`);
      }
    }
  });

  const compilable = (message: Record<string, unknown>) =>
    compileSchema(schemaOf(message)) !== undefined;

  it('accepts every valid message with valibot’s output', () => {
    fc.assert(
      fc.property(messageArb(spec).filter(compilable), (message) => {
        // Through JSON, as frames arrive.
        const input = JSON.parse(JSON.stringify(message)) as Record<string, unknown>;
        expectAgreement(schemaOf(input), input);
        expect(compiledSchema(schemaOf(input))(input)).not.toBe(REFUSED);
      }),
      { numRuns: 400 },
    );
  });

  it('agrees with valibot on messages broken one way', () => {
    fc.assert(
      fc.property(mutationArb(messageArb(spec).filter(compilable)), fc.nat(), (broken, n) => {
        const types = [...description.schemas.keys()];
        const schema =
          description.schemas.get(broken.type as string) ??
          (description.schemas.get(types[n % types.length] as string) as v.GenericSchema);
        if (compileSchema(schema) === undefined) return;
        expectAgreement(schema, broken);
      }),
      { numRuns: 600 },
    );
  });

  it('agrees with valibot on arbitrary values', () => {
    const types = [...description.schemas.keys()];
    fc.assert(
      fc.property(fc.anything({ withNullPrototype: true }), fc.nat(), (value, n) => {
        const schema = description.schemas.get(types[n % types.length] as string)!;
        if (compileSchema(schema) === undefined) return;
        expectAgreement(schema, value);
      }),
      { numRuns: 400 },
    );
  });
});

/** Messages whose schema has a node kind left to valibot on purpose (see `compile.ts`). */
const UNSUPPORTED_BY_DESIGN = new Set([
  // The runtime's `scope` is a `variant`; `init` comes once per runtime start.
  'HostToWorker init',
]);

describe('the manifest schema', () => {
  it('compiles and agrees with valibot', () => {
    expect(compileSchema(manifestSchema)).toBeDefined();
    fc.assert(
      fc.property(fc.anything(), (value) => expectAgreement(manifestSchema, value)),
      { numRuns: 200 },
    );
  });
});

describe('compileSchema, node by node', () => {
  it('strips unknown keys and keeps `unknown` values by reference', () => {
    const schema = v.object({ a: v.string(), p: v.unknown() });
    const payload = { deep: [1, 2] };
    const out = compileSchema(schema)!({ a: 'x', p: payload, extra: 1 }) as { p: unknown };
    expect(out).toStrictEqual({ a: 'x', p: payload });
    expect(out.p).toBe(payload);
  });

  it('treats an absent optional key and a present undefined one as valibot does', () => {
    const schema = v.object({ a: v.optional(v.number()) });
    expectAgreement(schema, {});
    expectAgreement(schema, { a: undefined });
    expect(Object.keys(compileSchema(schema)!({}) as object)).toEqual([]);
    expect(Object.keys(compileSchema(schema)!({ a: undefined }) as object)).toEqual(['a']);
  });

  it('refuses a missing required key, and a non-object', () => {
    const schema = v.object({ a: v.string() });
    for (const input of [{}, null, 'a', 1, undefined]) {
      expect(compileSchema(schema)!(input)).toBe(REFUSED);
      expectAgreement(schema, input);
    }
  });

  it('runs pipes in order, schemas inside them included', () => {
    const notArray = v.check((x: unknown) => !Array.isArray(x), 'no arrays');
    const schema = v.pipe(v.unknown(), notArray, v.object({ n: v.number() }));
    for (const input of [{ n: 1 }, [{ n: 1 }], { n: Number.NaN }, { n: '1' }]) {
      expectAgreement(schema, input);
    }
    const bounded = v.pipe(v.string(), v.minLength(1), v.maxLength(3), v.regex(/^[a-z]+$/));
    for (const input of ['', 'a', 'abc', 'abcd', 'A', 5]) expectAgreement(bounded, input);
    const counter = v.pipe(v.number(), v.safeInteger(), v.minValue(0), v.maxValue(10));
    for (const input of [0, 10, 11, -1, 1.5, Number.POSITIVE_INFINITY, Number.NaN, '1']) {
      expectAgreement(counter, input);
    }
    const finite = v.pipe(v.number(), v.finite(), v.integer());
    for (const input of [1, 1.5, Number.NEGATIVE_INFINITY]) expectAgreement(finite, input);
  });

  it('matches literals, NaN included, and picklists', () => {
    for (const input of [Number.NaN, 0, -0, 'NaN']) {
      expectAgreement(v.literal(Number.NaN), input);
      expectAgreement(v.literal(0), input);
    }
    for (const input of ['a', 'b', 'c', 1, null]) expectAgreement(v.picklist(['a', 'b']), input);
    for (const input of [true, false, 0, 'true']) expectAgreement(v.boolean(), input);
  });

  it('takes the first union option that passes, and arrays item by item', () => {
    const schema = v.union([
      v.object({ kind: v.literal('a'), x: v.number() }),
      v.object({ kind: v.string() }),
    ]);
    for (const input of [{ kind: 'a', x: 1 }, { kind: 'a' }, { kind: 'b', x: 1 }, { x: 1 }]) {
      expectAgreement(schema, input);
    }
    const list = v.array(v.pipe(v.string(), v.minLength(1)));
    for (const input of [[], ['a'], ['a', ''], 'a', [1]]) expectAgreement(list, input);
  });

  it('leaves to valibot what it does not support', () => {
    const unsupported: v.GenericSchema[] = [
      v.variant('k', [v.object({ k: v.literal('a') })]),
      v.pipe(v.string(), v.trim()),
      v.object({ a: v.optional(v.string(), 'default') }),
      v.fallback(v.object({ a: v.string() }), { a: 'x' }),
      v.object({ a: v.fallback(v.string(), 'x') }),
      v.nullable(v.string()),
      v.object({ a: v.nullish(v.string()) }),
      v.pipe(v.string(), v.email()),
    ];
    for (const schema of unsupported) {
      expect(compileSchema(schema)).toBeUndefined();
      // The cached form refuses everything, so callers always ask valibot.
      expect(compiledSchema(schema)('x')).toBe(REFUSED);
      expect(compiledSchema(schema)({ a: 'x', k: 'a' })).toBe(REFUSED);
    }
  });

  it('follows lazy schemas, recursive ones included', () => {
    type Node = { name: string; next?: Node };
    const node: v.GenericSchema<Node> = v.object({
      name: v.string(),
      next: v.optional(v.lazy(() => node)),
    });
    expect(compileSchema(node)).toBeDefined();
    for (const input of [
      { name: 'a' },
      { name: 'a', next: { name: 'b', next: { name: 'c' } } },
      { name: 'a', next: { name: 'b', next: { name: 3 } } },
      { name: 'a', next: null },
    ]) {
      expectAgreement(node, input);
    }
    const custom = v.custom<string>((x) => typeof x === 'string' && x.startsWith('k'));
    for (const input of ['key', 'no', 1]) expectAgreement(custom, input);
  });

  it('generates code on a server runtime, and writes any key name only as a string', () => {
    // vitest runs on Node: the generated form is the default here, as on the Bun host.
    expect(CODE_GENERATION).toBe(true);
    const odd = ['a"b', 'c\\', "d'e", 'f\n}; throw 1; //', '`$' + '{x}`', '\u2028', '__x', ''];
    const schema = v.object(Object.fromEntries(odd.map((key) => [key, v.number()])));
    const good = Object.fromEntries(odd.map((key, i) => [key, i]));
    for (const generate of [true, false]) {
      const run = compileSchema(schema, { generate })!;
      expect(run(good)).toStrictEqual(good);
      expect(Object.keys(run(good) as object)).toEqual(odd);
      expect(run({ ...good, 'a"b': 'x' })).toBe(REFUSED);
    }
    expectAgreement(schema, good);
    expectAgreement(schema, { ...good, '': 'no' });
  });

  it('gives the same answers from closures and generated functions on a frame', () => {
    const frame = CLIENT.schemas.get('backend_message') as v.GenericSchema;
    const closures = compileSchema(frame, { generate: false })!;
    const generated = compileSchema(frame, { generate: true })!;
    expect(closures).not.toBe(generated);
    const input = { type: 'backend_message', extensionId: 'e', payload: { a: 1 }, seq: 3, x: 1 };
    expect(generated(input)).toStrictEqual(closures(input));
    expect(generated({ ...input, seq: 0 })).toBe(REFUSED);
    expect(closures({ ...input, seq: 0 })).toBe(REFUSED);
  });

  it('builds each schema once', () => {
    const schema = v.object({ a: v.string() });
    expect(compiledSchema(schema)).toBe(compiledSchema(schema));
  });
});
