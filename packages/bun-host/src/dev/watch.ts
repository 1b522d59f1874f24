/**
 * File watching for the dev loop: which folders of one extension to watch, and the file-system
 * watchers themselves. An extension with sources is watched at its `src/` (recursively), its
 * `spindle.json`, and every folder outside `src/` holding a file its last build read (a shared
 * module next to the extension, for instance; `node_modules` excepted). One without sources is
 * watched at its outputs, so a bundle built by another tool is picked up too. Folders are
 * watched rather than files, so an editor that saves by renaming a new file over the old one is
 * seen as well.
 */
import { existsSync, type FSWatcher, watch } from 'node:fs';
import { basename, dirname, join, sep } from 'node:path';
import { SOURCE_DIR } from './sources.ts';

/** One folder to watch, and which names in it matter. */
export interface WatchTarget {
  dir: string;
  recursive: boolean;
  /** Names (relative to `dir`) that count; undefined: every name but editor scratch files. */
  names?: ReadonlySet<string>;
}

/** What to watch of the extension in `dir` (its real path). */
export function watchTargets(
  dir: string,
  options: { hasSources: boolean; inputs: readonly string[]; outputs: readonly string[] },
): WatchTarget[] {
  const targets: WatchTarget[] = [];
  const rootNames = new Set(['spindle.json', SOURCE_DIR]);
  const src = join(dir, SOURCE_DIR);
  if (options.hasSources) {
    if (existsSync(src)) targets.push({ dir: src, recursive: true });
    const outside = new Map<string, Set<string>>();
    for (const input of options.inputs) {
      if (input.startsWith(src + sep) || input.split(sep).includes('node_modules')) continue;
      const folder = dirname(input);
      if (folder === dir) {
        rootNames.add(basename(input));
        continue;
      }
      const names = outside.get(folder) ?? new Set<string>();
      names.add(basename(input));
      outside.set(folder, names);
    }
    for (const [folder, names] of outside) targets.push({ dir: folder, recursive: false, names });
  } else {
    const dist = join(dir, 'dist');
    if (existsSync(dist)) targets.push({ dir: dist, recursive: true });
    for (const output of options.outputs) {
      const folder = dirname(join(dir, output));
      if (folder === dist || folder.startsWith(dist + sep) || !existsSync(folder)) continue;
      targets.push({ dir: folder, recursive: false, names: new Set([basename(output)]) });
    }
  }
  targets.unshift({ dir, recursive: false, names: rootNames });
  return targets;
}

/** Editor scratch files that never mean a change (`.swp`, `~`, `.#lock`, build temp files). */
export function isScratchName(name: string): boolean {
  const leaf = basename(name);
  return (
    leaf.startsWith('.#') ||
    leaf.startsWith('.spindle-build-') ||
    leaf.endsWith('~') ||
    /\.sw[a-p]$/.test(leaf) ||
    leaf === '4913'
  );
}

/** Running watchers of one extension. */
export interface FolderWatchers {
  /** Replaces the watched set (after a build read other files). */
  update(targets: WatchTarget[]): void;
  close(): void;
}

/**
 * Watches `targets` and calls `onChange` with the absolute path of each relevant change;
 * `onError` gets a watcher that failed (its folder removed, a limit of the system reached).
 */
export function watchFolders(
  targets: WatchTarget[],
  onChange: (path: string) => void,
  onError: (dir: string, error: Error) => void,
): FolderWatchers {
  const active = new Map<string, FSWatcher>();
  const key = (t: WatchTarget) =>
    `${t.recursive ? 'r' : 'f'}:${t.dir}:${[...(t.names ?? [])].sort().join(',')}`;
  const start = (target: WatchTarget) => {
    try {
      const watcher = watch(target.dir, { recursive: target.recursive }, (_event, name) => {
        if (name === null) {
          onChange(target.dir);
          return;
        }
        const file = String(name);
        if (isScratchName(file)) return;
        if (target.names && !target.names.has(file)) return;
        onChange(join(target.dir, file));
      });
      watcher.on('error', (error) => onError(target.dir, error));
      active.set(key(target), watcher);
    } catch (error) {
      onError(target.dir, error as Error);
    }
  };
  const update = (next: WatchTarget[]) => {
    const wanted = new Map(next.map((t) => [key(t), t]));
    for (const [k, watcher] of active) {
      if (!wanted.has(k)) {
        watcher.close();
        active.delete(k);
      }
    }
    for (const [k, target] of wanted) if (!active.has(k)) start(target);
  };
  update(targets);
  return {
    update,
    close() {
      for (const watcher of active.values()) watcher.close();
      active.clear();
    },
  };
}
