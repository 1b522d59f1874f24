/**
 * A host for the survivors test, run as its own Bun process: over the folder given as argv[2]
 * (made by `makeFolder`), starts the `daemon` extension in `process` mode, prints one JSON line
 * once it is running, and waits to be killed.
 */
import { join } from 'node:path';
import { createSpindleHost } from '@spindle/bun-host';
import { isRoot, PIDS_MAX, RUNTIME_USER } from './rig.ts';

const base = process.argv[2]!;
const host = await createSpindleHost({
  extensionsDir: join(base, 'extensions'),
  dataDir: join(base, 'data'),
  runtimeMode: 'process',
  enable: ['daemon'],
  pidsMax: PIDS_MAX,
  ...(isRoot ? { runtimeUser: RUNTIME_USER } : {}),
  logger: () => {},
});
const daemon = host.get('daemon');
console.log(
  JSON.stringify({ pid: process.pid, state: daemon?.state, error: daemon?.error ?? null }),
);
setInterval(() => {}, 60_000);
