/** Shared pieces of the runtime integration tests (run by `bun test`). */
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { SpindleRuntimeMode } from '@spindle/types';
import {
  createSpindleHost,
  type HostLogEntry,
  type SpindleHost,
  type SpindleHostOptions,
} from '../../src/host.ts';
import { FakeGateway } from './fake-gateway.ts';

/** Folder of the fixture extensions. */
export const FIXTURES = fileURLToPath(new URL('../fixtures/extensions', import.meta.url));

/** Compressed lifecycle deadlines for tests. */
export const TEST_TIMING = {
  readyTimeoutMs: 4_000,
  shutdownTimeoutMs: 2_000,
  killGraceMs: 1_000,
  unloadTimeoutMs: 1_000,
  baseDelayMs: 20,
};

/** A host made for one test, with its gateway, log and data folder. */
export interface TestHost {
  host: SpindleHost;
  gateway: FakeGateway;
  logs: HostLogEntry[];
  dataDir: string;
}

const open: TestHost[] = [];

/** Starts a host over the fixtures; `closeTestHosts` ends it. */
export async function startTestHost(
  mode: SpindleRuntimeMode,
  options: Partial<SpindleHostOptions> = {},
): Promise<TestHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spindle-host-test-'));
  const gateway = new FakeGateway();
  const logs: HostLogEntry[] = [];
  let host: SpindleHost;
  try {
    host = await createSpindleHost({
      extensionsDir: FIXTURES,
      dataDir,
      runtimeMode: mode,
      enable: [],
      frontendGateway: gateway,
      logger: (entry) => logs.push(entry),
      timing: TEST_TIMING,
      ...options,
    });
  } catch (error) {
    rmSync(dataDir, { recursive: true, force: true });
    throw error;
  }
  const test = { host, gateway, logs, dataDir };
  open.push(test);
  return test;
}

/** Closes every host started by `startTestHost` and removes their data. */
export async function closeTestHosts(): Promise<void> {
  const hosts = open.splice(0);
  await Promise.all(hosts.map((t) => t.host.close()));
  for (const t of hosts) rmSync(t.dataDir, { recursive: true, force: true });
}

let nextId = 0;

/** Sends `{ op, ...extra }` from `sessionId` to the probe and resolves with its answer. */
export async function ask(
  t: TestHost,
  sessionId: string,
  op: string,
  extra: Record<string, unknown> = {},
  extensionId = 'probe',
): Promise<{ result?: unknown; error?: { code?: string; message: string } }> {
  nextId += 1;
  const id = nextId;
  t.gateway.sendToBackend(sessionId, extensionId, { op, id, ...extra });
  const reply = await t.gateway.waitFor(
    (d) =>
      d.sessionId === sessionId &&
      d.message.type === 'backend_message' &&
      (d.message.payload as { id?: number } | null)?.id === id,
  );
  return (reply.message as { payload: { result?: unknown; error?: { message: string } } }).payload;
}

/** Polls `check` every 10 ms until it returns true, or fails after `timeoutMs`. */
export async function waitUntil(check: () => boolean, timeoutMs = 8_000, what = 'condition') {
  const deadline = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(10);
  }
}

/** Pids of the live (non-zombie) descendants of `pid`, from /proc. */
export function descendants(pid: number): number[] {
  const children = new Map<number, number[]>();
  for (const name of readdirSync('/proc')) {
    if (!/^\d+$/.test(name)) continue;
    const stat = readStat(Number(name));
    if (!stat || stat.state === 'Z') continue;
    const list = children.get(stat.ppid) ?? [];
    list.push(Number(name));
    children.set(stat.ppid, list);
  }
  const out: number[] = [];
  const walk = (p: number) => {
    for (const child of children.get(p) ?? []) {
      out.push(child);
      walk(child);
    }
  };
  walk(pid);
  return out;
}

/** True while `pid` exists and is not a zombie. */
export function isAlive(pid: number): boolean {
  const stat = readStat(pid);
  return stat !== undefined && stat.state !== 'Z';
}

function readStat(pid: number): { state: string; ppid: number } | undefined {
  try {
    const text = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name may hold spaces and parentheses: fields start after the last ')'.
    const fields = text.slice(text.lastIndexOf(')') + 2).split(' ');
    return { state: fields[0] ?? '', ppid: Number(fields[1]) };
  } catch {
    return undefined;
  }
}
