/**
 * The escape suite's host: a real `createSpindleHost` (with process supervision) over copies of
 * the attacker, victim and daemon extensions in a private folder, with the host's secrets (a
 * token file, another extension's storage) and canary listeners (TCP, UDP, a Unix socket, an
 * abstract Unix socket, SIGUSR2) that count whatever reaches them from a runtime.
 */
import {
  chmodSync,
  copyFileSync,
  cpSync,
  mkdirSync,
  mkdtempSync,
  rmSync,
  writeFileSync,
} from 'node:fs';
import net from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import {
  createProcessService,
  createSpindleHost,
  type SpindleHost,
  type SpindleHostOptions,
} from '@spindle/bun-host';
import type { RuntimeStatsEvent, SpindleRuntimeMode } from '@spindle/types';

const EXTENSIONS = fileURLToPath(new URL('./extensions', import.meta.url));

/** A root host runs its runtimes as this user (the suite proves they are not root). */
export const RUNTIME_USER = 'nobody';
export const isRoot = process.geteuid?.() === 0;

/** Tasks each child may run in the suite (the attacker tries 300). */
export const PIDS_MAX = 64;

/** What the attacker reads from `target.json`. */
export interface Target {
  mode: SpindleRuntimeMode;
  hostPid: number;
  tokenFile: string;
  victimSecret: string;
  victimPlant: string;
  extFile: string;
  dataDirFile: string;
  hostTmpFile: string;
  tcpPort: number;
  udpPort: number;
  unixSocket: string;
  abstractName: string;
  tasks: number;
  marker: string;
}

/** Counts of what reached the host's canaries. */
export interface Canaries {
  tcp: number;
  udp: number;
  unix: number;
  abstract: number;
  signals: number;
}

/** A private folder with the extensions, their data and the host's secrets. */
export interface Folder {
  base: string;
  extensionsDir: string;
  dataDir: string;
  target: Target;
  /** Environment for a host: `LUMIVERSE_BUN_PATH` when the runtime user cannot reach this Bun. */
  env: Record<string, string | undefined>;
  remove(): void;
}

/**
 * Lays out the folder: every folder a runtime user must cross is searchable; the secrets are
 * not. When the runtime user cannot run this Bun (a checkout under a private home), a copy of
 * the binary goes into the folder, as an operator would install Bun where its users reach it.
 */
export function makeFolder(mode: SpindleRuntimeMode, ports: { tcp: number; udp: number }): Folder {
  const base = mkdtempSync(join(tmpdir(), 'spindle-escape-'));
  chmodSync(base, 0o755);
  const extensionsDir = join(base, 'extensions');
  const dataDir = join(base, 'data');
  cpSync(EXTENSIONS, extensionsDir, { recursive: true });
  mkdirSync(join(base, 'config'), { mode: 0o700 });
  const tokenFile = join(base, 'config', 'tokens.json');
  writeFileSync(tokenFile, '{"a-long-random-operator-token": {"userId": "op"}}', { mode: 0o600 });
  const target: Target = {
    mode,
    hostPid: process.pid,
    tokenFile,
    victimSecret: join(dataDir, 'storage', 'victim', 'secret.txt'),
    victimPlant: join(dataDir, 'storage', 'victim', 'planted.txt'),
    extFile: join(extensionsDir, 'attacker', 'planted.txt'),
    dataDirFile: join(dataDir, 'planted.txt'),
    hostTmpFile: join(tmpdir(), `spindle-escape-planted-${process.pid}-${Date.now()}`),
    tcpPort: ports.tcp,
    udpPort: ports.udp,
    unixSocket: join(base, 'canary.sock'),
    abstractName: `spindle-escape-canary-${process.pid}`,
    tasks: 300,
    marker: `86400.${process.pid}${Date.now() % 100_000}`,
  };
  for (const id of ['attacker', 'daemon']) {
    writeFileSync(join(extensionsDir, id, 'target.json'), JSON.stringify(target));
  }
  const env: Record<string, string | undefined> = { ...process.env };
  if (
    isRoot &&
    !Bun.spawnSync([process.execPath, '--version'], { uid: 65534, gid: 65534 }).success
  ) {
    mkdirSync(join(base, 'bun'));
    copyFileSync(process.execPath, join(base, 'bun', 'bun'));
    chmodSync(join(base, 'bun', 'bun'), 0o755);
    env.LUMIVERSE_BUN_PATH = join(base, 'bun', 'bun');
  }
  return {
    base,
    extensionsDir,
    dataDir,
    target,
    env,
    remove() {
      rmSync(base, { recursive: true, force: true });
      rmSync(target.hostTmpFile, { force: true });
    },
  };
}

/** Starts the canaries; `counts` grow as anything reaches them. */
export async function openCanaries(): Promise<{
  counts: Canaries;
  ports: { tcp: number; udp: number };
  listenUnix(path: string, abstractName: string): void;
  close(): void;
}> {
  const counts: Canaries = { tcp: 0, udp: 0, unix: 0, abstract: 0, signals: 0 };
  const tcp = Bun.listen({
    hostname: '127.0.0.1',
    port: 0,
    socket: {
      open: () => {
        counts.tcp += 1;
      },
      data() {},
    },
  });
  const udp = await Bun.udpSocket({
    hostname: '127.0.0.1',
    socket: {
      data: () => {
        counts.udp += 1;
      },
    },
  });
  const servers: net.Server[] = [];
  const onSignal = () => {
    counts.signals += 1;
  };
  process.on('SIGUSR2', onSignal);
  return {
    counts,
    ports: { tcp: tcp.port, udp: udp.port },
    listenUnix(path, abstractName) {
      const unix = net
        .createServer(() => {
          counts.unix += 1;
        })
        .listen(path);
      const abstract = net
        .createServer(() => {
          counts.abstract += 1;
        })
        .listen(`\0${abstractName}`);
      chmodSync(path, 0o777);
      servers.push(unix, abstract);
    },
    close() {
      tcp.stop(true);
      udp.close();
      for (const server of servers) server.close();
      process.off('SIGUSR2', onSignal);
    },
  };
}

/** Starts a host over the folder (nothing enabled), collecting its stats events. */
export async function openHost(
  folder: Folder,
  mode: SpindleRuntimeMode,
  extra: Partial<SpindleHostOptions> = {},
): Promise<{ host: SpindleHost; stats: RuntimeStatsEvent[]; log: string[] }> {
  const stats: RuntimeStatsEvent[] = [];
  const log: string[] = [];
  const host = await createSpindleHost({
    extensionsDir: folder.extensionsDir,
    dataDir: folder.dataDir,
    runtimeMode: mode,
    enable: [],
    processService: createProcessService({
      logger: (record) => log.push(`${record.level} ${record.extensionId ?? ''} ${record.message}`),
    }),
    pidsMax: PIDS_MAX,
    ...(isRoot ? { runtimeUser: RUNTIME_USER } : {}),
    env: { ...folder.env, LUMIVERSE_SPINDLE_RUNTIME_STATS: 'true' },
    logger: (entry) => log.push(`${entry.level} ${entry.extensionId ?? ''} ${entry.message}`),
    ...extra,
  });
  host.events.on('stats', (event) => stats.push(event));
  return { host, stats, log };
}

/** Waits (bounded) for the attacker's answers in its storage folder. */
export async function attackerAnswers(
  folder: Folder,
  log: string[],
): Promise<{ runtime: Record<string, string>; child: Record<string, string> }> {
  const storage = join(folder.dataDir, 'storage', 'attacker');
  const deadline = Date.now() + 45_000;
  for (;;) {
    const error = Bun.file(join(storage, 'error.json'));
    if (await error.exists()) throw new Error(`the attacker failed: ${await error.text()}`);
    if (await Bun.file(join(storage, 'done.json')).exists()) break;
    if (Date.now() > deadline) throw new Error(`no answer from the attacker:\n${log.join('\n')}`);
    await Bun.sleep(50);
  }
  return {
    runtime: await Bun.file(join(storage, 'runtime.json')).json(),
    child: await Bun.file(join(storage, 'child.json')).json(),
  };
}
