/**
 * Finding and reading the configuration file (docs/operations.md, "Configuration"): `--config`,
 * else `SPINDLE_CONFIG`, else `./spindle.config.json` when it exists. Every problem is reported
 * at once, with the file, the line and column of a JSON syntax error or the path of a bad
 * setting; relative paths in the file are taken from the file's own folder.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { dirname, isAbsolute, resolve } from 'node:path';
import { SpindleError } from '@spindle/types';
import { type SpindleConfig, validateConfig } from './schema.ts';

/** Name of the configuration file looked for in the working folder. */
export const CONFIG_FILE = 'spindle.config.json';

/** Environment variable naming the configuration file. */
export const CONFIG_ENV = 'SPINDLE_CONFIG';

/** Largest configuration file read. */
export const MAX_CONFIG_BYTES = 1024 * 1024;

/**
 * The configuration file to read: the flag's, else the environment's (both must exist), else
 * `spindle.config.json` in `cwd` when there is one; `undefined` for none.
 */
export function findConfigFile(
  flag: string | undefined,
  env: Record<string, string | undefined>,
  cwd: string,
): string | undefined {
  const named = flag ?? (env[CONFIG_ENV]?.trim() || undefined);
  if (named !== undefined) return resolve(cwd, named);
  const local = resolve(cwd, CONFIG_FILE);
  return existsSync(local) ? local : undefined;
}

/** Reads and validates `path`; throws `INVALID_OPTIONS` naming every problem. */
export async function loadConfigFile(path: string): Promise<SpindleConfig> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (cause) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `config file ${path} cannot be read: ${(cause as Error).message}`,
      {
        cause,
        details: { path },
      },
    );
  }
  if (Buffer.byteLength(text) > MAX_CONFIG_BYTES) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `config file ${path} is larger than ${MAX_CONFIG_BYTES} bytes`,
      {
        details: { path },
      },
    );
  }
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch (cause) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `config file ${path} is not valid JSON${position(text, cause)}: ${(cause as Error).message}`,
      { cause, details: { path } },
    );
  }
  const result = validateConfig(raw);
  if (!result.ok) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `config file ${path} has ${result.problems.length} problem(s):\n  ${result.problems.join('\n  ')}`,
      { details: { path, problems: result.problems } },
    );
  }
  return withPathsFrom(dirname(path), result.value);
}

/** ` at line L, column C` of a JSON syntax error, when the engine says where. */
function position(text: string, error: unknown): string {
  const match = /position (\d+)/.exec(String((error as Error)?.message));
  if (!match) return '';
  const offset = Number(match[1]);
  const before = text.slice(0, offset).split('\n');
  return ` at line ${before.length}, column ${(before.at(-1)?.length ?? 0) + 1}`;
}

/** The file's relative paths, made absolute from its folder. */
function withPathsFrom(folder: string, config: SpindleConfig): SpindleConfig {
  const fix = (p: string | undefined) =>
    p === undefined || isAbsolute(p) ? p : resolve(folder, p);
  const out: SpindleConfig = { ...config };
  const extensionsDir = fix(config.extensionsDir);
  const dataDir = fix(config.dataDir);
  const tokensFile = fix(config.tokensFile);
  const cacheDir = fix(config.cacheDir);
  if (cacheDir !== undefined) out.cacheDir = cacheDir;
  if (extensionsDir !== undefined) out.extensionsDir = extensionsDir;
  if (dataDir !== undefined) out.dataDir = dataDir;
  if (tokensFile !== undefined) out.tokensFile = tokensFile;
  return out;
}
