/**
 * The spawn-option rules a backend runtime checks before a request leaves it, so the common
 * mistakes (a missing `kind`, an entry outside `dist/`, a deadline that is not a number) reject
 * at once, without a trip to the host. Plain functions without valibot: the runtime bootstrap
 * loads this module and nothing else of the validators. The host still validates everything
 * it receives with the full schemas (`validate/options.ts`), which use the same entry rule.
 */
import { MAX_ENTRY_LENGTH } from './validate/limits.ts';

const ENTRY_EXTENSION = /\.(?:js|mjs|cjs)$/;

/**
 * Why a backend subprocess `entry` breaks the rules (relative, under `dist/`, no `..` segment,
 * no backslash, drive or NUL, ending in `.js`, `.mjs` or `.cjs`), or `undefined` when it keeps
 * them. Whether the file exists is for the host to check.
 */
export function backendEntryProblem(entry: string): string | undefined {
  if (entry.length === 0) return 'must not be empty';
  if (entry.length > MAX_ENTRY_LENGTH) return `must be at most ${MAX_ENTRY_LENGTH} characters`;
  if (entry.includes('\0')) return 'must not contain a NUL character';
  if (entry.includes('\\')) return 'must use forward slashes (no backslash)';
  if (entry.startsWith('/')) return 'must be relative to the extension root, not absolute';
  if (/^[A-Za-z]:/.test(entry)) return 'must be relative to the extension root, not a drive path';
  if (entry.split('/').includes('..')) return 'must not contain a ".." segment';
  if (!entry.startsWith('dist/')) return 'must live under the extension\'s "dist/" folder';
  if (!ENTRY_EXTENSION.test(entry)) return 'must end in ".js", ".mjs" or ".cjs"';
  return undefined;
}

/** A refused option: the dotted path below the options and a sentence saying why. */
export interface SpawnOptionsProblem {
  path: string;
  message: string;
}

function isRecord(value: unknown): value is Record<string, unknown> {
  if (typeof value !== 'object' || value === null || Array.isArray(value)) return false;
  const proto = Object.getPrototypeOf(value);
  return proto === Object.prototype || proto === null;
}

const OPTIONAL_TYPES: ReadonlyArray<[string, string]> = [
  ['key', 'string'],
  ['userId', 'string'],
  ['frontendSessionId', 'string'],
  ['startupTimeoutMs', 'number'],
  ['heartbeatTimeoutMs', 'number'],
  ['replaceExisting', 'boolean'],
];

/**
 * The first common mistake in the options of `frontendProcesses.spawn()` (`side: 'frontend'`)
 * or `backendProcesses.spawn()` (`'backend'`), or `undefined`. Not a full validation: what
 * passes here can still be refused by the host, with the same code (`INVALID_OPTIONS`).
 */
export function spawnOptionsProblem(
  side: 'frontend' | 'backend',
  options: unknown,
): SpawnOptionsProblem | undefined {
  if (!isRecord(options)) {
    return { path: '', message: `${side} process spawn options must be a plain object` };
  }
  if (side === 'backend') {
    const entry = options.entry;
    if (typeof entry !== 'string') {
      return { path: 'entry', message: 'backend process spawn options need an entry (a string)' };
    }
    const problem = backendEntryProblem(entry);
    if (problem !== undefined) {
      return { path: 'entry', message: `backend process entry "${entry.slice(0, 80)}" ${problem}` };
    }
  }
  const kind = options.kind;
  if (side === 'frontend' || kind !== undefined) {
    if (typeof kind !== 'string' || kind.trim() === '') {
      return { path: 'kind', message: `${side} process kind must be a non-blank string` };
    }
  }
  for (const [name, type] of OPTIONAL_TYPES) {
    const value = options[name];
    if (value === undefined) continue;
    if (typeof value !== type || (type === 'number' && !Number.isFinite(value))) {
      const what = type === 'number' ? 'a finite number' : `a ${type}`;
      return { path: name, message: `${side} process spawn option ${name} must be ${what}` };
    }
  }
  if (options.metadata !== undefined && !isRecord(options.metadata)) {
    return {
      path: 'metadata',
      message: `${side} process spawn option metadata must be a plain object`,
    };
  }
  return undefined;
}
