/**
 * A host for the no-orphans test, run as its own Bun process: starts `blocked` and `probe` in
 * the mode given as argv[2], waits until the blocked runtime spins, then prints one JSON line
 * with its pid and data folder, and waits to be killed.
 */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SpindleRuntimeMode } from '@spindle/types';
import { createSpindleHost } from '../../src/host.ts';
import { FIXTURES } from './helpers.ts';

const mode = (process.argv[2] ?? 'process') as SpindleRuntimeMode;
const dataDir = mkdtempSync(join(tmpdir(), 'spindle-orphan-'));
const host = await createSpindleHost({
  extensionsDir: FIXTURES,
  dataDir,
  runtimeMode: mode,
  enable: ['blocked', 'probe'],
  logger: () => {},
});
const states = host.list().map((e) => [e.identifier, e.state]);
await Bun.sleep(200); // `blocked` starts spinning 50 ms after ready
console.log(JSON.stringify({ pid: process.pid, dataDir, states }));
setInterval(() => {}, 60_000);
