/**
 * The result shape every validator returns, and the conversion of valibot issues into it.
 * Validators never throw: every failure, including an input whose getters throw, ends up here.
 */
import type { BaseIssue } from 'valibot';
import type { SpindleErrorCode } from '../errors.ts';

/** Why an input was refused: a stable code, where, and a sentence a person can act on. */
export interface ValidationIssue {
  code: SpindleErrorCode;
  /** Dotted path of the offending field (`options.kind`, `extensions.0.state`); `''` for the whole input. */
  path: string;
  message: string;
  /** `seq` of the offending frame, when the input carried a numeric one. */
  seq?: number;
  /** `type` of the offending frame, when the input carried a string one (cut to 128 characters). */
  frameType?: string;
  /** `requestId` of the offending runtime request, so the host can answer it with an error. */
  requestId?: string;
}

/** Outcome of a validator: the typed value, or the first issue found. */
export type ValidationResult<T> = { ok: true; value: T } | { ok: false; error: ValidationIssue };

/** Facts about the input copied into every issue raised for it. */
export interface IssueContext {
  seq?: number;
  frameType?: string;
  requestId?: string;
}

const MAX_ECHO = 128;
const MAX_MESSAGE = 300;

/** Successful result. */
export function valid<T>(value: T): ValidationResult<T> {
  return { ok: true, value };
}

/** Failed result; the context's `seq`, `frameType` and `requestId` are copied into the issue. */
export function invalid<T>(
  code: SpindleErrorCode,
  path: string,
  message: string,
  context: IssueContext = {},
): ValidationResult<T> {
  const error: ValidationIssue = { code, path, message: cut(message, MAX_MESSAGE) };
  if (context.seq !== undefined) error.seq = context.seq;
  if (context.frameType !== undefined) error.frameType = context.frameType;
  if (context.requestId !== undefined) error.requestId = context.requestId;
  return { ok: false, error };
}

/** Reads `seq`, `type` and `requestId` off an input without trusting it. */
export function contextOf(input: unknown): IssueContext {
  const context: IssueContext = {};
  if (typeof input !== 'object' || input === null) return context;
  const record = input as Record<string, unknown>;
  const seq = record.seq;
  if (typeof seq === 'number' && Number.isFinite(seq)) context.seq = seq;
  const type = record.type;
  if (typeof type === 'string') context.frameType = cut(type, MAX_ECHO);
  const requestId = record.requestId;
  if (typeof requestId === 'string') context.requestId = cut(requestId, MAX_ECHO);
  return context;
}

/** Dotted path of a valibot issue. */
export function issuePath(issue: BaseIssue<unknown>): string {
  if (!issue.path) return '';
  return issue.path.map((item) => String(item.key)).join('.');
}

/** A readable sentence for a valibot issue, without echoing large input values. */
export function issueMessage(issue: BaseIssue<unknown>): string {
  const path = issuePath(issue);
  const where = path === '' ? 'value' : path;
  // Messages of validation actions are written in this package; schema messages are not.
  if (issue.kind === 'validation') return path === '' ? issue.message : `${path} ${issue.message}`;
  const last = issue.path?.[issue.path.length - 1];
  if (last && last.origin === 'key' && issue.input === undefined) return `${where} is required`;
  return `${where}: expected ${issue.expected ?? 'another value'}, received ${describe(issue.input)}`;
}

/** Short description of a value: `number 5`, `null`, `an array`, `"short"`, `a string of 900 characters`. */
export function describe(value: unknown): string {
  if (value === null) return 'null';
  if (Array.isArray(value)) return 'an array';
  if (typeof value === 'string') {
    return value.length <= 32 ? JSON.stringify(value) : `a string of ${value.length} characters`;
  }
  if (typeof value === 'number') return Number.isFinite(value) ? `number ${value}` : String(value);
  return typeof value;
}

/** Message of anything thrown, never throwing itself. */
export function thrownMessage(error: unknown): string {
  try {
    if (error instanceof RangeError) return 'it is nested too deeply';
    if (error instanceof Error) return error.message;
    return String(error);
  } catch {
    return 'an unreadable error';
  }
}

/** `text` cut to `max` characters, with an ellipsis when it was longer. */
export function cut(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, max)}…`;
}
