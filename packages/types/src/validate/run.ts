/** Running a schema and turning its first issue into a `ValidationIssue`. */
import * as v from 'valibot';
import type { SpindleErrorCode } from '../errors.ts';
import {
  type IssueContext,
  invalid,
  issueMessage,
  issuePath,
  type ValidationResult,
  valid,
} from './result.ts';

const CONFIG = { abortEarly: true } as const;

/**
 * Runs `schema` on `input`; the first issue becomes `code` with its dotted path, the message
 * prefixed by `label` ("client frame \"hello\""). May throw when the input's getters do: callers
 * wrap it.
 */
export function runSchema<T>(
  schema: v.GenericSchema,
  input: unknown,
  code: SpindleErrorCode,
  label: string | (() => string),
  context: IssueContext | (() => IssueContext) = {},
): ValidationResult<T> {
  const result = v.safeParse(schema, input, CONFIG);
  if (result.success) return valid(result.output as T);
  // Label and context are only worked out for a refusal: most inputs pass.
  const issue = result.issues[0];
  const name = typeof label === 'function' ? label() : label;
  const facts = typeof context === 'function' ? context() : context;
  return invalid(code, issuePath(issue), `${name}: ${issueMessage(issue)}`, facts);
}
