/** Running a schema and turning its first issue into a `ValidationIssue`. */
import * as v from 'valibot';
import type { SpindleErrorCode } from '../errors.ts';
import { compiledSchema, REFUSED } from './compile.ts';
import {
  contextOf,
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
  label: string,
  context: IssueContext = {},
): ValidationResult<T> {
  // Input that passes takes the compiled path; valibot itself words a refusal.
  const accepted = compiledSchema(schema)(input);
  if (accepted !== REFUSED) return valid(accepted as T);
  const result = v.safeParse(schema, input, CONFIG);
  if (result.success) return valid(result.output as T);
  const issue = result.issues[0];
  return invalid(code, issuePath(issue), `${label}: ${issueMessage(issue)}`, context);
}

/**
 * `runSchema` for one frame of a protocol (`INVALID_FRAME`, labelled `<protocol> "<type>"`),
 * where the label and the issue's context are only worked out for a refusal: every frame of a
 * batch comes through here, and most pass.
 */
export function runFrameSchema<T>(
  schema: v.GenericSchema,
  frame: object,
  protocolLabel: string,
  type: string,
): ValidationResult<T> {
  const accepted = compiledSchema(schema)(frame);
  if (accepted !== REFUSED) return valid(accepted as T);
  const result = v.safeParse(schema, frame, CONFIG);
  if (result.success) return valid(result.output as T);
  const issue = result.issues[0];
  const message = `${protocolLabel} "${type}": ${issueMessage(issue)}`;
  return invalid('INVALID_FRAME', issuePath(issue), message, contextOf(frame));
}
