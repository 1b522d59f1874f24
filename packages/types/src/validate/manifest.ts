/**
 * `spindle.json` (DESIGN.md section 3). Every refusal carries the code `INVALID_MANIFEST`.
 * Unknown keys are stripped, as in every validator of this package.
 */
import * as v from 'valibot';
import { EXTENSION_IDENTIFIER_PATTERN, type SpindleManifest } from '../manifest.ts';
import { obj } from './fields.ts';
import { readJsonInput } from './json.ts';
import { MAX_ENTRY_LENGTH, MAX_ID_LENGTH, MAX_MANIFEST_BYTES } from './limits.ts';
import { invalid, thrownMessage, type ValidationResult } from './result.ts';
import { runSchema } from './run.ts';
import type { Expect, InSync } from './sync.ts';

const entryPath = v.pipe(
  v.string(),
  v.maxLength(MAX_ENTRY_LENGTH, `must be at most ${MAX_ENTRY_LENGTH} characters`),
);

/** Schema of a manifest (exported inside the package for `ExtensionInfoDTO`). */
export const manifestSchema = obj({
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
  permissions: v.array(v.string()),
  description: v.optional(v.string()),
  entry_backend: v.optional(entryPath),
  entry_frontend: v.optional(entryPath),
  minimum_lumiverse_version: v.optional(v.string()),
});

type _Manifest = Expect<InSync<v.InferOutput<typeof manifestSchema>, SpindleManifest>>;

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
