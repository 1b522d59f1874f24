/**
 * The host under attack, in a Bun process of its own so that its resident set is measured alone:
 * `startSpindleHost` over `fixtures/extensions` with the configuration in `HOSTILE_CONFIG`
 * (JSON). It reports on stdout, one JSON object per line: `ready` (port, pid, data folder), then every state
 * change, runtime exit and log line of the host; a `counters` line whenever a line `counters`
 * arrives on stdin, and a `gc` line (its resident set after a full collection) for `gc`. Runtime
 * stats are on (startup and shutdown events only) and reported as `stats` lines. SIGTERM closes the host, removes its data folder and exits.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  createTokenAuthenticator,
  type StartSpindleHostOptions,
  startSpindleHost,
} from '@spindle/bun-host';
import type { SpindleRuntimeMode } from '@spindle/types';
import { TOKENS } from './tokens.ts';

/** What a test may configure. */
export interface HostileConfig {
  mode: SpindleRuntimeMode;
  runtimeLimits?: StartSpindleHostOptions['runtimeLimits'];
  extensionLimits?: StartSpindleHostOptions['extensionLimits'];
  serverOptions?: StartSpindleHostOptions['serverOptions'];
  timing?: StartSpindleHostOptions['timing'];
  storageLimits?: StartSpindleHostOptions['storageLimits'];
  enable?: string[];
}

const config = JSON.parse(process.env.HOSTILE_CONFIG ?? '{}') as HostileConfig;
const dataDir = mkdtempSync(join(tmpdir(), 'spindle-hostile-'));
const say = (event: Record<string, unknown>) => {
  process.stdout.write(`${JSON.stringify(event)}\n`);
};

const started = await startSpindleHost({
  extensionsDir: join(import.meta.dir, 'fixtures', 'extensions'),
  dataDir,
  runtimeMode: config.mode,
  ...(config.enable ? { enable: config.enable } : {}),
  authenticate: createTokenAuthenticator({
    tokens: Object.fromEntries(
      Object.values(TOKENS).map(({ token, userId, isAdmin }) => [token, { userId, isAdmin }]),
    ),
  }),
  ...(config.serverOptions ? { serverOptions: config.serverOptions } : {}),
  ...(config.runtimeLimits ? { runtimeLimits: config.runtimeLimits } : {}),
  ...(config.extensionLimits ? { extensionLimits: config.extensionLimits } : {}),
  ...(config.timing ? { timing: config.timing } : {}),
  ...(config.storageLimits ? { storageLimits: config.storageLimits } : {}),
  // A log entry may name an event of its own (`exit`, `state`, …): kept as `logEvent`.
  logger: ({ event: logEvent, ...entry }) =>
    say({ event: 'log', ...entry, ...(logEvent === undefined ? {} : { logEvent }) }),
});
const { host } = started;
host.events.on('state', (change) => say({ event: 'state', ...change }));
host.events.on('exit', (exit) => say({ event: 'exit', ...exit }));
host.events.on('stats', (stats) => say({ event: 'stats', ...stats }));

let closing = false;
const close = async () => {
  if (closing) return;
  closing = true;
  try {
    await started.close();
  } finally {
    rmSync(dataDir, { recursive: true, force: true });
    process.exit(0);
  }
};
process.on('SIGTERM', () => void close());
process.on('SIGINT', () => void close());

let input = '';
process.stdin.setEncoding('utf8');
process.stdin.on('data', (chunk: string) => {
  input += chunk;
  let newline = input.indexOf('\n');
  while (newline >= 0) {
    const line = input.slice(0, newline).trim();
    input = input.slice(newline + 1);
    if (line === 'counters') say({ event: 'counters', ...started.counters() });
    if (line === 'gc') {
      // What the host still holds, without the garbage an attack left for the collector.
      Bun.gc(true);
      setTimeout(() => say({ event: 'gc', rssMb: process.memoryUsage().rss / (1024 * 1024) }), 50);
    }
    newline = input.indexOf('\n');
  }
});
// The test's end of stdin closing means the test is gone: do not outlive it.
process.stdin.on('end', () => void close());

say({
  event: 'ready',
  port: host.port,
  pid: process.pid,
  dataDir,
  states: host.list().map((e) => [e.identifier, e.state]),
});
