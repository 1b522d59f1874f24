/**
 * `spindle.json` (docs/architecture.md, "Extension layout"). Every refusal carries the code
 * `INVALID_MANIFEST`. Unlike the protocol validators, unknown keys are kept: the `manifest` an
 * extension sees holds everything its `spindle.json` says (valibot's `looseObject` never copies
 * `__proto__`, `prototype` or `constructor`). Permission names this release does not know are
 * kept too (see `unknownPermissions`).
 */
import * as v from 'valibot';
import { EXTENSION_IDENTIFIER_PATTERN, type SpindleManifest } from '../manifest.ts';
import type { SpindleCapability, SpindlePermission } from '../permissions.ts';
import { ACTIVATION_POLICIES } from './enums.ts';
import { notArrayOf, obj } from './fields.ts';
import { readJsonInput } from './json.ts';
import { MAX_ENTRY_LENGTH, MAX_ID_LENGTH, MAX_MANIFEST_BYTES } from './limits.ts';
import { invalid, thrownMessage, type ValidationResult } from './result.ts';
import { runSchema } from './run.ts';
import type { Expect, InSync } from './sync.ts';

const entryPath = v.pipe(
  v.string(),
  v.maxLength(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`),
);

const seedFileSchema = obj({
  from: v.pipe(v.string(), v.minLength(1, 'must not be empty'), v.maxLength(MAX_ENTRY_LENGTH)),
  to: v.optional(v.pipe(v.string(), v.maxLength(MAX_ENTRY_LENGTH))),
  overwrite: v.optional(v.boolean()),
  required: v.optional(v.boolean()),
});

/** Most `activationEvents` a manifest may list. */
export const MAX_ACTIVATION_EVENTS = 64;

/** Most `storage_seed_files` entries a manifest may list. */
export const MAX_SEED_FILES = 256;

const looseManifestSchema = notArrayOf(
  v.looseObject({
    version: v.string(),
    name: v.string(),
    identifier: v.pipe(
      v.string(),
      v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
      v.regex(
        EXTENSION_IDENTIFIER_PATTERN,
        'must start with a lowercase letter and hold only lowercase letters, digits and _',
      ),
    ),
    author: v.string(),
    github: v.string(),
    homepage: v.string(),
    permissions: v.array(v.string()) as unknown as v.GenericSchema<SpindlePermission[]>,
    description: v.optional(v.string()),
    requested_capabilities: v.optional(v.array(v.string())) as unknown as v.OptionalSchema<
      v.GenericSchema<SpindleCapability[]>,
      undefined
    >,
    entry_backend: v.optional(entryPath),
    entry_frontend: v.optional(entryPath),
    entry_frontend_widget: v.optional(entryPath),
    minimum_lumiverse_version: v.optional(v.string()),
    storage_seed_files: v.optional(
      v.pipe(
        v.array(seedFileSchema),
        v.maxLength(MAX_SEED_FILES, `must list at most ${MAX_SEED_FILES} entries`),
      ),
    ),
    interceptorTimeoutMs: v.optional(v.pipe(v.number(), v.finite('must be a finite number'))),
    activation: v.optional(v.picklist(ACTIVATION_POLICIES)),
    activationEvents: v.optional(
      v.pipe(
        v.array(
          v.pipe(
            v.string(),
            v.minLength(1, 'must not be empty'),
            v.maxLength(MAX_ID_LENGTH, `must be at most ${MAX_ID_LENGTH} characters`),
          ),
        ),
        v.maxLength(MAX_ACTIVATION_EVENTS, `must list at most ${MAX_ACTIVATION_EVENTS} events`),
      ),
    ),
    keepAlive: v.optional(v.boolean()),
  }),
);

/** `T` without its index signature (the keys a loose object keeps beyond its entries). */
type KnownKeys<T> = { [K in keyof T as string extends K ? never : K]: T[K] };

type _Manifest = Expect<
  InSync<KnownKeys<v.InferOutput<typeof looseManifestSchema>>, SpindleManifest>
>;

/**
 * Schema of a manifest (exported inside the package for `ExtensionInfoDTO` and `init`): typed as
 * `SpindleManifest`, which says nothing of the extra keys it keeps.
 */
export const manifestSchema = looseManifestSchema as unknown as v.GenericSchema<
  unknown,
  SpindleManifest
>;

const READ_CODES = {
  tooLarge: 'INVALID_MANIFEST',
  invalidJson: 'INVALID_MANIFEST',
  notJson: 'INVALID_MANIFEST',
} as const;

/**
 * Validates a `spindle.json`: its text, its bytes, or the parsed object. Raw input is held to
 * `MAX_MANIFEST_BYTES`. Never throws.
 */
export function validateManifest(input: unknown): ValidationResult<SpindleManifest> {
  try {
    const read = readJsonInput(input, MAX_MANIFEST_BYTES, 'manifest', READ_CODES);
    if (!read.ok) return invalid(read.code, read.path, read.message);
    return runSchema(manifestSchema, read.value, 'INVALID_MANIFEST', 'manifest');
  } catch (error) {
    return invalid('INVALID_MANIFEST', '', `manifest could not be read: ${thrownMessage(error)}`);
  }
}
