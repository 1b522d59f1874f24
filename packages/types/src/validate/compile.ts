/**
 * The protocols' valibot schemas turned into plain functions for the input that passes them.
 *
 * Every frame, IPC message and batch element is checked against a valibot schema, and nearly all
 * of them pass. Running a schema through valibot allocates a dataset per node, a result per
 * call and walks each pipe through generic `~run` methods: about 0.2 µs for a four-field frame,
 * which was the largest single cost of a message crossing the host. `compileSchema` reads the
 * same schema objects once and builds a closure per node that does only the checks, and answers
 * either the output valibot would give or `REFUSED`. The schema stays the one definition of what
 * is valid: a refusal is always handed back to valibot (`run.ts`), which finds the issue and
 * words it, so this file never has to explain anything.
 *
 * The rule that keeps it safe: a compiled function accepts exactly what valibot accepts, with an
 * equal output (unknown keys stripped, `unknown` values kept by reference). It supports the
 * node kinds the protocols use (`object`, `looseObject`, `array`, `union`, `optional` without a default,
 * `literal`, `picklist`, `string`, `number`, `boolean`, `unknown`, `custom`, `lazy`, pipes of
 * those with the validation actions below), each recognised by the valibot factory that built
 * it; anything else (a `variant`, a transformation, a default or a fallback, an async schema)
 * makes the whole schema unsupported, and it runs through valibot as before. A refusal by a
 * compiled schema is never final (valibot is asked next), so only accepting too much could do
 * harm, and that is what the property tests look for. Property tests hold every
 * protocol schema to valibot's verdict and output on random and mutated input.
 *
 * Object and pipe nodes, where most of the time goes, are built one of two ways. As closures,
 * an object's keys are read as `input[key]` in a loop, a property access whose key changes every
 * turn and so cannot be cached by the engine, and a pipe loops over its steps. Where code can be
 * generated (a server runtime, Bun or Node, see `CODE_GENERATION`), each becomes a function with
 * its keys and steps written out, `input["seq"]`, which the engine caches like any property
 * access: measured on Bun, a four-field frame went from about 80 to under 20 ns. Only key names,
 * each written with `JSON.stringify`, go into the generated text; the checks of the values stay
 * the closures above. Browsers always take closures: a page's Content-Security-Policy may forbid
 * generated code, and even the attempt would be reported as a violation.
 */
import * as v from 'valibot';

/** What a compiled schema answers for input the schema refuses (valibot then says why). */
export const REFUSED: unique symbol = Symbol('refused');

/** A compiled schema: the output valibot would give, or `REFUSED`. Throws when a getter does. */
export type CompiledSchema = (input: unknown) => unknown;

// biome-ignore lint/suspicious/noExplicitAny: valibot nodes are read structurally here.
type Node = any;
type Predicate = (value: unknown) => boolean;

const refuseAll: CompiledSchema = () => REFUSED;
/** Taken when this module loads, before any code it checks messages for could replace it. */
const FunctionConstructor = Function;
const compiled = new WeakMap<object, CompiledSchema>();

/** How `compileSchema` builds object and pipe nodes. */
export interface CompileOptions {
  /** Generate a function per object and pipe node (see above). @default CODE_GENERATION */
  generate?: boolean;
}

/**
 * Whether this runtime builds object and pipe nodes as generated functions: a server runtime (a
 * `process.versions.node`, which Bun has too) where `new Function` works (Node's
 * `--disallow-code-generation-from-strings` makes it throw).
 */
export const CODE_GENERATION: boolean = detectCodeGeneration();

function detectCodeGeneration(): boolean {
  const host = globalThis as { process?: { versions?: { node?: unknown } } };
  if (typeof host.process?.versions?.node !== 'string') return false;
  try {
    return new FunctionConstructor('return 1')() === 1;
  } catch {
    return false;
  }
}

/**
 * The compiled form of `schema`, built on first use and kept for the schema's lifetime. For a
 * schema this file does not support, a function that refuses everything, so that callers always
 * fall back to valibot for it.
 */
export function compiledSchema(schema: v.GenericSchema): CompiledSchema {
  let run = compiled.get(schema);
  if (run === undefined) {
    run = compileSchema(schema) ?? refuseAll;
    compiled.set(schema, run);
  }
  return run;
}

/** Compiles `schema`; `undefined` when any of its nodes is of a kind not supported here. */
export function compileSchema(
  schema: v.GenericSchema,
  options: CompileOptions = {},
): CompiledSchema | undefined {
  try {
    return compileNode(schema, options.generate ?? CODE_GENERATION);
  } catch {
    // A node shaped unlike valibot's own (a hand-made schema): leave it to valibot.
    return undefined;
  }
}

function compileNode(node: Node, gen: boolean): CompiledSchema | undefined {
  if (node === null || typeof node !== 'object' || node.async === true) return undefined;
  // `v.fallback` turns a refusal into a made-up value: only valibot knows it.
  if (node.fallback !== undefined) return undefined;
  if (Array.isArray(node.pipe)) return compilePipe(node.pipe, gen);
  if (node.kind !== 'schema') return undefined;
  switch (node.reference) {
    case v.string:
      return (x) => (typeof x === 'string' ? x : REFUSED);
    case v.number:
      return (x) => (typeof x === 'number' && !Number.isNaN(x) ? x : REFUSED);
    case v.boolean:
      return (x) => (typeof x === 'boolean' ? x : REFUSED);
    case v.unknown:
      return (x) => x;
    case v.custom: {
      const check = node.check as Predicate;
      if (typeof check !== 'function') return undefined;
      return (x) => (check(x) ? x : REFUSED);
    }
    case v.lazy: {
      // Built when first reached (a lazy schema may refer to the schema being compiled).
      const getter = node.getter as (input: unknown) => v.GenericSchema;
      if (typeof getter !== 'function') return undefined;
      return (x) => compiledSchema(getter(x))(x);
    }
    case v.literal: {
      const literal: unknown = node.literal;
      if (typeof literal === 'number' && Number.isNaN(literal)) {
        return (x) => (typeof x === 'number' && Number.isNaN(x) ? x : REFUSED);
      }
      return (x) => (x === literal ? x : REFUSED);
    }
    case v.picklist: {
      const options: readonly unknown[] = node.options;
      if (!Array.isArray(options)) return undefined;
      return (x) => (options.includes(x) ? x : REFUSED);
    }
    case v.optional: {
      if (node.default !== undefined) return undefined;
      const inner = compileNode(node.wrapped, gen);
      if (inner === undefined) return undefined;
      return (x) => (x === undefined ? undefined : inner(x));
    }
    case v.object:
      return compileObject(node.entries, gen);
    case v.looseObject:
      return compileLooseObject(node.entries, gen);
    case v.array: {
      const item = compileNode(node.item, gen);
      if (item === undefined) return undefined;
      return (x) => {
        if (!Array.isArray(x)) return REFUSED;
        const out: unknown[] = [];
        for (let i = 0; i < x.length; i += 1) {
          const got = item(x[i]);
          if (got === REFUSED) return REFUSED;
          out.push(got);
        }
        return out;
      };
    }
    case v.union: {
      const options = compileAll(node.options, gen);
      if (options === undefined) return undefined;
      return (x) => {
        for (const option of options) {
          const got = option(x);
          if (got !== REFUSED) return got;
        }
        return REFUSED;
      };
    }
    default:
      return undefined;
  }
}

function compileAll(nodes: unknown, gen: boolean): CompiledSchema[] | undefined {
  if (!Array.isArray(nodes)) return undefined;
  const out: CompiledSchema[] = [];
  for (const node of nodes) {
    const run = compileNode(node, gen);
    if (run === undefined) return undefined;
    out.push(run);
  }
  return out;
}

/** A key valibot's `object` skips when absent, instead of refusing the input. */
const OPTIONAL_TYPES = new Set(['optional', 'exact_optional', 'nullish']);

function compileObject(
  entries: Record<string, Node> | undefined,
  gen: boolean,
): CompiledSchema | undefined {
  if (entries === null || typeof entries !== 'object') return undefined;
  const keys: string[] = [];
  const runs: CompiledSchema[] = [];
  const optional: boolean[] = [];
  // `for…in`, as valibot walks the entries.
  for (const key in entries) {
    const entry = entries[key];
    if (entry === null || typeof entry !== 'object') return undefined;
    // Defaults and fallbacks produce values valibot makes up: leave those schemas to valibot.
    if (entry.default !== undefined || entry.fallback !== undefined) return undefined;
    const run = compileNode(entry, gen);
    if (run === undefined) return undefined;
    keys.push(key);
    runs.push(run);
    optional.push(OPTIONAL_TYPES.has(entry.type));
  }
  if (gen) return generateObject(keys, runs, optional);
  const count = keys.length;
  return (x) => {
    if (!x || typeof x !== 'object') return REFUSED;
    const input = x as Record<string, unknown>;
    const out: Record<string, unknown> = {};
    for (let i = 0; i < count; i += 1) {
      const key = keys[i] as string;
      if (key in input) {
        const got = (runs[i] as CompiledSchema)(input[key]);
        if (got === REFUSED) return REFUSED;
        out[key] = got;
      } else if (!optional[i]) {
        return REFUSED;
      }
    }
    return out;
  };
}

/** Keys valibot never copies from an input into a loose object's output. */
const UNSAFE_KEYS = new Set(['__proto__', 'prototype', 'constructor']);

/**
 * `looseObject`: the entries checked as `object` does, then every other own enumerable key of
 * the input copied as it is (valibot's order and rules: `for…in`, own keys only, never
 * `__proto__`, `prototype` or `constructor`).
 */
function compileLooseObject(
  entries: Record<string, Node> | undefined,
  gen: boolean,
): CompiledSchema | undefined {
  const known = compileObject(entries, gen);
  if (known === undefined || entries === undefined) return undefined;
  const hasOwn = Object.prototype.hasOwnProperty;
  return (x) => {
    const out = known(x);
    if (out === REFUSED) return REFUSED;
    const input = x as Record<string, unknown>;
    const result = out as Record<string, unknown>;
    for (const key in input) {
      if (hasOwn.call(input, key) && !UNSAFE_KEYS.has(key) && !hasOwn.call(entries, key)) {
        result[key] = input[key];
      }
    }
    return result;
  };
}

/**
 * Builds a function from `body`, run with `REFUSED` and the functions `fns` as `f0`, `f1`, … in
 * scope. Only text this file writes goes into `body`, and key names only through
 * `JSON.stringify`.
 */
function generate(fns: readonly unknown[], body: readonly string[]): CompiledSchema {
  const names = fns.map((_, i) => `f${i}`);
  const make = new FunctionConstructor('REFUSED', ...names, body.join('\n')) as (
    ...args: unknown[]
  ) => CompiledSchema;
  return make(REFUSED, ...fns);
}

/**
 * The object check of `compileObject` as a generated function: the same steps in the same order
 * (`key in input`, one read of `input[key]`, the entry's check, the output key set), with each
 * key a constant.
 */
function generateObject(
  keys: readonly string[],
  runs: readonly CompiledSchema[],
  optional: readonly boolean[],
): CompiledSchema {
  const body = [
    'return function compiledObject(x) {',
    '  if (!x || typeof x !== "object") return REFUSED;',
    '  const out = {};',
    '  let got;',
  ];
  keys.forEach((key, i) => {
    const k = JSON.stringify(key);
    body.push(
      `  if (${k} in x) {`,
      `    got = f${i}(x[${k}]);`,
      '    if (got === REFUSED) return REFUSED;',
      `    out[${k}] = got;`,
      optional[i] ? '  }' : '  } else return REFUSED;',
    );
  });
  body.push('  return out;', '};');
  return generate(runs, body);
}

/** The steps of `compilePipe` as a generated function, in order. */
function generatePipe(steps: readonly PipeStep[]): CompiledSchema {
  const body = ['return function compiledPipe(x) {', '  let value = x;'];
  steps.forEach((step, i) => {
    body.push(
      step.schema !== undefined
        ? `  value = f${i}(value); if (value === REFUSED) return REFUSED;`
        : `  if (!f${i}(value)) return REFUSED;`,
    );
  });
  body.push('  return value;', '};');
  return generate(
    steps.map((step) => step.schema ?? step.check),
    body,
  );
}

/** One step of a pipe: a schema (its output goes on) or a validation's check. */
interface PipeStep {
  schema?: CompiledSchema;
  check?: Predicate;
}

function compilePipe(items: readonly Node[], gen: boolean): CompiledSchema | undefined {
  const steps: PipeStep[] = [];
  for (const item of items) {
    if (item === null || typeof item !== 'object' || item.async === true) return undefined;
    if (item.kind === 'metadata') continue;
    if (item.kind === 'schema') {
      const schema = compileNode(item, gen);
      if (schema === undefined) return undefined;
      steps.push({ schema });
    } else if (item.kind === 'validation') {
      const check = compileValidation(item);
      if (check === undefined) return undefined;
      steps.push({ check });
    } else {
      // A transformation changes the output in ways only valibot knows.
      return undefined;
    }
  }
  if (steps.length === 1 && steps[0]?.schema) return steps[0].schema;
  if (gen) return generatePipe(steps);
  return (x) => {
    let value = x;
    for (const step of steps) {
      if (step.schema !== undefined) {
        value = step.schema(value);
        if (value === REFUSED) return REFUSED;
      } else if (!(step.check as Predicate)(value)) {
        return REFUSED;
      }
    }
    return value;
  };
}

/** Whether a value passes one validation action, as its valibot `~run` decides. */
function compileValidation(action: Node): Predicate | undefined {
  const req: unknown = action.requirement;
  switch (action.reference) {
    case v.minLength:
      if (typeof req !== 'number') return undefined;
      return (x) => !((x as { length: number }).length < req);
    case v.maxLength:
      if (typeof req !== 'number') return undefined;
      return (x) => !((x as { length: number }).length > req);
    case v.minValue:
      return (x) => (x as number) >= (req as number);
    case v.maxValue:
      return (x) => (x as number) <= (req as number);
    case v.check:
    case v.safeInteger:
    case v.integer:
    case v.finite: {
      if (typeof req !== 'function') return undefined;
      const test = req as Predicate;
      return (x) => Boolean(test(x));
    }
    case v.regex: {
      if (!(req instanceof RegExp)) return undefined;
      return (x) => req.test(x as string);
    }
    default:
      return undefined;
  }
}
