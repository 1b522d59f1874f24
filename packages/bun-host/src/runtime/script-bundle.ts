/**
 * One-file builds of the child bootstraps. Bun transpiles every TypeScript module a process
 * loads, on every start, and each module costs a resolve, a read and a parse: the runtime
 * bootstrap is a dozen modules, so a subprocess or worker that loads them one by one pays for
 * it in start time and in resident memory. The host therefore builds each bootstrap once per
 * process with `Bun.build` into a single plain-JavaScript file and starts children on that. The
 * build is CommonJS with a bytecode cache next to it (`<file>.jsc`), so a child neither parses
 * nor compiles the bootstrap: it runs precompiled bytecode.
 *
 * The build is written to the host's cache folder (`LaunchSettings.cacheDir`: by default
 * `<dataDir>/cache`, never inside the installed package), named by a hash of its content, so
 * hosts of different versions never overwrite each other's file and a stale file is never
 * picked: what runs is always built from the sources next to this file. The sandbox shows the
 * file's folder read-only. When a build is impossible (not under Bun, an unwritable cache, a
 * build error) the children run the TypeScript source, after one warning.
 */
import { existsSync, mkdirSync, renameSync, writeFileSync } from 'node:fs';
import { basename, dirname, extname, join } from 'node:path';
import { errorMessage } from '@spindle/types';
import { warnOnce } from '../sandbox/detect.ts';

const builds = new Map<string, Promise<string>>();

/**
 * The path children should run for `source` (an absolute path of a bootstrap): its one-file
 * build in `cacheDir`, or `source` itself when it cannot be built. Built once per process and
 * folder; concurrent callers share the build.
 */
export function bundledScript(source: string, cacheDir: string): Promise<string> {
  const key = `${cacheDir}\0${source}`;
  let pending = builds.get(key);
  if (!pending) {
    pending = build(source, cacheDir);
    builds.set(key, pending);
  }
  return pending;
}

/** Another host may be writing the same file: each writes its own temp file, then renames. */
function writeAtomically(path: string, data: string | Uint8Array): void {
  const temp = `${path}.${process.pid}.${crypto.randomUUID().slice(0, 8)}.tmp`;
  writeFileSync(temp, data);
  renameSync(temp, path);
}

async function build(source: string, cacheDir: string): Promise<string> {
  if (process.versions.bun === undefined) return source;
  try {
    const result = await Bun.build({
      entrypoints: [source],
      target: 'bun',
      format: 'cjs',
      bytecode: true,
    });
    const script = result.outputs.find((o) => o.kind === 'entry-point');
    const bytecode = result.outputs.find((o) => o.kind === 'bytecode');
    if (!result.success || script === undefined) {
      const why = result.logs.map((log) => String(log.message)).join('; ');
      throw new Error(`Bun.build failed${why ? `: ${why}` : ''}`);
    }
    const code = await script.text();
    const folder = dirname(source);
    const stem = `${basename(dirname(folder))}-${basename(folder)}-${basename(source, extname(source))}`;
    // Bytecode is only valid for the Bun that made it: the version is part of the name.
    const hash = Bun.hash(`${Bun.version}:${Bun.revision}:${code}`).toString(36);
    const path = join(cacheDir, `${stem}-${hash}.js`);
    if (!existsSync(path)) {
      // Readable by a runtime user other than the host's (files are written 0644 by default).
      mkdirSync(cacheDir, { recursive: true, mode: 0o755 });
      // The bytecode first: Bun uses `<script>.jsc` when it sits next to the script, so it must
      // be complete before the script appears. Without it (not generated), the script still runs.
      if (bytecode !== undefined)
        writeAtomically(`${path}.jsc`, new Uint8Array(await bytecode.arrayBuffer()));
      writeAtomically(path, code);
    }
    return path;
  } catch (error) {
    warnOnce(
      `[spindle] cannot build ${source} into one file (${errorMessage(error)}); children run the TypeScript source, which starts slower`,
    );
    return source;
  }
}
