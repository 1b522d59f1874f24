/**
 * `buildExtension`: builds every part of an extension that has a source (`sources.ts`) with
 * Bun's bundler into self-contained ES modules, all or nothing: when any part fails, nothing is
 * written and the previous outputs stay as they were (a running extension keeps its version).
 * Outputs whose bytes did not change are not rewritten, so their modification time, and with it
 * the frontend bundle's versioned URL, stays the same; changed ones are replaced atomically.
 */
import { createHash, randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { mkdir, readFile, rename, unlink, writeFile } from 'node:fs/promises';
import { dirname, isAbsolute, join, relative, resolve, sep } from 'node:path';
import { errorMessage, type SpindleManifest } from '@spindle/types';
import {
  type BuildEntry,
  type ExtensionBuildPlan,
  type ExtensionPart,
  planExtensionBuild,
} from './sources.ts';

/** Options of `buildExtension`. */
export interface BuildExtensionOptions {
  /** Source maps in the outputs: `inline` (development) or `none`. @default "none" */
  sourcemap?: 'none' | 'inline';
  /** Minify the outputs. @default false */
  minify?: boolean;
  /** `process.env.NODE_ENV` in frontend code. @default "production" */
  nodeEnv?: string;
  /** The manifest, when the caller read it already. @default read from `spindle.json` */
  manifest?: SpindleManifest;
  /**
   * Folder the outputs are written to, in place of the extension folder (the backend test kit
   * builds into a private copy this way, resolving imports from the sources' own place).
   * @default the extension folder
   */
  outDir?: string;
}

/** A problem the bundler reported, with its place when it has one. */
export interface BuildProblem {
  level: 'error' | 'warning';
  message: string;
  /** The entry source being built. */
  source: string;
  /** File, line (1-based) and column (0-based) of the problem. */
  file?: string;
  line?: number;
  column?: number;
  /** The text of the offending line. */
  lineText?: string;
}

/** One built part. */
export interface BuiltEntry extends BuildEntry {
  /** Size of the output in bytes. */
  bytes: number;
  /** SHA-256 of the output (hex). */
  hash: string;
  /** True when the output differed from what was on disk and was written. */
  changed: boolean;
}

/** What a build did. */
export interface ExtensionBuildResult {
  /** True when every part built (and changed outputs were written). */
  ok: boolean;
  dir: string;
  identifier: string;
  /** Every part that has a source; empty when `ok` is false. */
  entries: BuiltEntry[];
  errors: BuildProblem[];
  warnings: BuildProblem[];
  /** Absolute paths of every file the bundler read (for a watcher), sorted. */
  inputs: string[];
  /** Which parts changed on disk: `backend` covers the backend entry and its children. */
  changed: { frontend: boolean; backend: boolean };
  /** Milliseconds the build took. */
  durationMs: number;
}

interface EntryOutcome {
  entry: BuildEntry;
  code?: Uint8Array;
  errors: BuildProblem[];
  warnings: BuildProblem[];
  inputs: string[];
}

function problem(
  entry: BuildEntry,
  level: 'error' | 'warning',
  log: { message: string; position?: unknown },
): BuildProblem {
  const position = log.position as
    | { file?: string; line?: number; column?: number; lineText?: string }
    | null
    | undefined;
  return {
    level,
    message: log.message,
    source: entry.source,
    ...(position?.file ? { file: position.file } : {}),
    ...(typeof position?.line === 'number' ? { line: position.line } : {}),
    ...(typeof position?.column === 'number' ? { column: position.column } : {}),
    ...(position?.lineText ? { lineText: position.lineText } : {}),
  };
}

async function buildEntry(
  entry: BuildEntry,
  options: BuildExtensionOptions,
): Promise<EntryOutcome> {
  const outcome: EntryOutcome = { entry, errors: [], warnings: [], inputs: [] };
  let result: Awaited<ReturnType<typeof Bun.build>>;
  try {
    result = await Bun.build({
      entrypoints: [entry.source],
      target: entry.target,
      format: 'esm',
      minify: options.minify ?? false,
      sourcemap: options.sourcemap ?? 'none',
      metafile: true,
      throw: false,
      ...(entry.target === 'browser'
        ? { define: { 'process.env.NODE_ENV': JSON.stringify(options.nodeEnv ?? 'production') } }
        : {}),
    });
  } catch (error) {
    outcome.errors.push({ level: 'error', message: errorMessage(error), source: entry.source });
    return outcome;
  }
  for (const log of result.logs) {
    if (log.level === 'error') outcome.errors.push(problem(entry, 'error', log));
    else if (log.level === 'warning') outcome.warnings.push(problem(entry, 'warning', log));
  }
  const metafile = (result as { metafile?: { inputs?: Record<string, unknown> } }).metafile;
  // The metafile names inputs relative to the working directory of this process.
  const cwd = process.cwd();
  outcome.inputs = Object.keys(metafile?.inputs ?? {})
    .map((input) => (isAbsolute(input) ? input : resolve(cwd, input)))
    .filter((input) => existsSync(input));
  const output = result.outputs.find((artifact) => artifact.kind === 'entry-point');
  if (!result.success || output === undefined) {
    if (outcome.errors.length === 0) {
      outcome.errors.push({
        level: 'error',
        message: 'the bundler produced no output',
        source: entry.source,
      });
    }
    return outcome;
  }
  outcome.code = new Uint8Array(await output.arrayBuffer());
  return outcome;
}

async function currentBytes(path: string): Promise<Uint8Array | undefined> {
  try {
    return new Uint8Array(await readFile(path));
  } catch {
    return undefined;
  }
}

/** Writes `data` to `path` through a temp file in the same folder and a rename. */
async function replaceFile(path: string, data: Uint8Array): Promise<void> {
  await mkdir(dirname(path), { recursive: true });
  const temp = join(
    dirname(path),
    `.spindle-build-${process.pid}-${randomBytes(4).toString('hex')}`,
  );
  try {
    await writeFile(temp, data);
    await rename(temp, path);
  } catch (error) {
    await unlink(temp).catch(() => undefined);
    throw error;
  }
}

const sha256 = (data: Uint8Array) => createHash('sha256').update(data).digest('hex');

/**
 * Builds the extension in `dir` (see the module comment). Never throws for a build problem:
 * those are in `errors` (`ok: false`). A missing or invalid `spindle.json` is an error result too.
 */
export async function buildExtension(
  dir: string,
  options: BuildExtensionOptions = {},
): Promise<ExtensionBuildResult> {
  const started = performance.now();
  const root = resolve(dir);
  let plan: ExtensionBuildPlan;
  try {
    plan = planExtensionBuild(root, options.manifest);
  } catch (error) {
    return {
      ok: false,
      dir: root,
      identifier: root,
      entries: [],
      errors: [
        { level: 'error', message: errorMessage(error), source: join(root, 'spindle.json') },
      ],
      warnings: [],
      inputs: [],
      changed: { frontend: false, backend: false },
      durationMs: performance.now() - started,
    };
  }
  return buildPlan(plan, options, started);
}

/**
 * Builds the entries of `plan` (see the module comment): the work of `buildExtension` once the
 * plan is made, for callers with entries of their own (the backend test kit's `backend` module).
 */
export async function buildPlan(
  plan: ExtensionBuildPlan,
  options: Omit<BuildExtensionOptions, 'manifest'> = {},
  started: number = performance.now(),
): Promise<ExtensionBuildResult> {
  const root = plan.dir;
  const out = resolve(options.outDir ?? root);
  const failed = (errors: BuildProblem[], warnings: BuildProblem[], inputs: string[]) => ({
    ok: false,
    dir: root,
    identifier: plan.manifest.identifier,
    entries: [],
    errors,
    warnings,
    inputs,
    changed: { frontend: false, backend: false },
    durationMs: performance.now() - started,
  });
  const outcomes = await Promise.all(plan.entries.map((entry) => buildEntry(entry, options)));
  const inputs = [...new Set(outcomes.flatMap((o) => o.inputs))].sort();
  const errors = outcomes.flatMap((o) => o.errors);
  const warnings = outcomes.flatMap((o) => o.warnings);
  for (const { entry } of outcomes) {
    const target = resolve(out, entry.output);
    if (!target.startsWith(out + sep)) {
      errors.push({
        level: 'error',
        message: `output ${entry.output} leaves the extension folder`,
        source: entry.source,
      });
    }
  }
  if (errors.length > 0) return failed(errors, warnings, inputs);

  const entries: BuiltEntry[] = [];
  const changed = { frontend: false, backend: false };
  for (const { entry, code } of outcomes) {
    const data = code as Uint8Array;
    const target = resolve(out, entry.output);
    const hash = sha256(data);
    const before = await currentBytes(target);
    const differs = before === undefined || sha256(before) !== hash;
    if (differs) {
      try {
        await replaceFile(target, data);
      } catch (error) {
        errors.push({
          level: 'error',
          message: `cannot write ${relative(out, target)}: ${errorMessage(error)}`,
          source: entry.source,
        });
        continue;
      }
      changed[partGroup(entry.part)] = true;
    }
    entries.push({ ...entry, bytes: data.byteLength, hash, changed: differs });
  }
  return {
    ok: errors.length === 0,
    dir: root,
    identifier: plan.manifest.identifier,
    entries,
    errors,
    warnings,
    inputs,
    changed,
    durationMs: performance.now() - started,
  };
}

function partGroup(part: ExtensionPart): 'frontend' | 'backend' {
  return part === 'frontend' ? 'frontend' : 'backend';
}

/** `file:line:column: message` and the offending line, for a terminal. */
export function formatProblem(item: BuildProblem, base?: string): string {
  const file = item.file ?? item.source;
  const shown = base && file.startsWith(base + sep) ? relative(base, file) : file;
  const place = item.line === undefined ? shown : `${shown}:${item.line}:${(item.column ?? 0) + 1}`;
  const text = item.lineText === undefined ? '' : `\n    ${item.lineText.trimEnd()}`;
  return `${place}: ${item.message}${text}`;
}
