/**
 * A throw-away echo extension on disk, as a host discovers it: `spindle.json` and
 * `dist/backend.js`. The backend answers every frontend message to the session that sent it,
 * except the burst messages of the throughput benchmark, which it counts per session and reports
 * on `count_end` — so the count is taken inside the backend runtime, not by the host.
 */
import { chmodSync, mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { ECHO_EXTENSION_ID } from './messages.ts';

/** `dist/backend.js` of the echo extension (plain JS: the runtime imports it as it is). */
export const ECHO_BACKEND = `// Benchmark echo extension (bench/src/benchmarks/stack/messages.ts has the message shapes).
const counts = new Map();
spindle.onFrontendMessage((payload, userId, frontendSessionId) => {
  const kind = payload !== null && typeof payload === 'object' ? payload.kind : undefined;
  if (kind === 'count') {
    counts.set(frontendSessionId, (counts.get(frontendSessionId) ?? 0) + 1);
    return;
  }
  const target = { userId, frontendSessionId };
  if (kind === 'count_end') {
    const count = counts.get(frontendSessionId) ?? 0;
    counts.delete(frontendSessionId);
    spindle.sendToFrontend({ kind: 'counted', seq: payload.seq, count }, target);
    return;
  }
  spindle.sendToFrontend(payload, target);
});
`;

/** The echo extension's folder tree. */
export interface EchoExtensionTree {
  /** `extensionsDir` of the host. */
  extensionsDir: string;
  /** `dataDir` of the host (empty). */
  dataDir: string;
  /** Deletes the whole tree. */
  remove(): void;
}

/** Writes the echo extension into a new temp folder. */
export function writeEchoExtension(): EchoExtensionTree {
  const root = mkdtempSync(join(tmpdir(), 'spindle-bench-stack-'));
  // A runtime user (`BENCH_USER`, on a root machine) must be able to cross it.
  chmodSync(root, 0o755);
  const remove = () => rmSync(root, { recursive: true, force: true });
  try {
    const extensionsDir = join(root, 'extensions');
    const dataDir = join(root, 'data');
    const dir = join(extensionsDir, ECHO_EXTENSION_ID);
    mkdirSync(join(dir, 'dist'), { recursive: true });
    mkdirSync(dataDir, { recursive: true });
    const manifest = {
      version: '1.0.0',
      name: 'Benchmark echo',
      identifier: ECHO_EXTENSION_ID,
      author: 'spindle bench',
      github: 'https://github.com/spindle/bench',
      homepage: 'https://example.invalid/bench',
      permissions: [],
    };
    writeFileSync(join(dir, 'spindle.json'), `${JSON.stringify(manifest, null, 2)}\n`);
    writeFileSync(join(dir, 'dist', 'backend.js'), ECHO_BACKEND);
    return { extensionsDir, dataDir, remove };
  } catch (error) {
    remove();
    throw error;
  }
}
