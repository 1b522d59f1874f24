/**
 * Throw-away extensions for the host benchmarks: a temp folder holding extensions with a
 * `spindle.json`, a backend entry and, when asked, backend process entries under `dist/`.
 * Plain `node:fs`; everything lives under one temp root that `remove()` deletes.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

/** Backend entry of a minimal extension: nothing to do, so the runtime is ready once imported. */
export const IDLE_BACKEND = '// Minimal benchmark extension: no work at import.\n';

/** Process entry that reports ready at once and completes when stopped. */
export const READY_ENTRY =
  '// Benchmark process: ready at once.\nexport default function run(ctx) {\n  ctx.ready();\n}\n';

/**
 * Process entry that reports ready, sends one heartbeat and then blocks its event loop for good,
 * so only the host's watchdog can end it.
 */
export const BLOCKED_ENTRY = `// Benchmark process: one heartbeat, then a blocked event loop.
export default function run(ctx) {
  ctx.ready();
  ctx.heartbeat();
  for (;;) {
    // spin until killed
  }
}
`;

/** The identifier of the `index`-th benchmark extension. */
export function benchIdentifier(index: number): string {
  return `bench_ext_${index}`;
}

/** A temp tree of extensions. */
export interface TempExtensions {
  /** Folder whose sub-folders are the extensions (`extensionsDir` of a host). */
  extensionsDir: string;
  /** An empty folder for host data (`dataDir`). */
  dataDir: string;
  /** Identifiers, in creation order. */
  identifiers: string[];
  /** Absolute folder of each extension, by identifier. */
  paths: Map<string, string>;
  /** Deletes the whole tree. */
  remove(): void;
}

/**
 * Creates `count` minimal extensions, each with `dist/backend.js` = `IDLE_BACKEND` plus the
 * given `dist/<name>` files.
 */
export function createTempExtensions(
  count: number,
  distFiles: Record<string, string> = {},
): TempExtensions {
  const root = mkdtempSync(join(tmpdir(), 'spindle-bench-'));
  // A runtime user (see BENCH_USER) must be able to cross it.
  chmodSync(root, 0o755);
  try {
    const extensionsDir = join(root, 'extensions');
    const dataDir = join(root, 'data');
    mkdirSync(dataDir, { recursive: true });
    const identifiers: string[] = [];
    const paths = new Map<string, string>();
    for (let i = 0; i < count; i++) {
      const identifier = benchIdentifier(i);
      const dir = join(extensionsDir, identifier);
      mkdirSync(join(dir, 'dist'), { recursive: true });
      const manifest = {
        version: '1.0.0',
        name: `Benchmark extension ${i}`,
        identifier,
        author: 'spindle bench',
        github: 'https://github.com/spindle/bench',
        homepage: 'https://example.invalid/bench',
        permissions: [],
      };
      writeFileSync(join(dir, 'spindle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
      writeFileSync(join(dir, 'dist', 'backend.js'), IDLE_BACKEND);
      for (const [name, text] of Object.entries(distFiles)) {
        writeFileSync(join(dir, 'dist', name), text);
      }
      identifiers.push(identifier);
      paths.set(identifier, dir);
    }
    return {
      extensionsDir,
      dataDir,
      identifiers,
      paths,
      remove: () => rmSync(root, { recursive: true, force: true }),
    };
  } catch (error) {
    rmSync(root, { recursive: true, force: true });
    throw error;
  }
}
