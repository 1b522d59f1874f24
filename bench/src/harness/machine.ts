/**
 * Facts about the machine and the tree a run measured, for the report header. Every probe that
 * can fail (git, `bun --version`, /etc/os-release) degrades to "unknown" rather than losing the
 * run.
 */
import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import os from 'node:os';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** What the report states about the run's environment. */
export interface MachineInfo {
  /** CPU model name. */
  cpu: string;
  /** Logical cores the OS reports. */
  cores: number;
  /** Total RAM in GiB, one decimal. */
  ramGiB: number;
  /** Distribution name, e.g. "Debian GNU/Linux 12 (bookworm)". */
  os: string;
  /** Kernel release. */
  kernel: string;
  /** Node version of the harness. */
  node: string;
  /** Version of the repo's Bun binary. */
  bun: string;
  /** Run start, ISO 8601 UTC. */
  date: string;
  /**
   * `git rev-parse --short HEAD`, with " (+ uncommitted changes)" when a tracked file other than
   * `BENCHMARKS.md` differs from it.
   */
  commit: string;
}

async function output(cmd: string, args: string[], cwd?: string): Promise<string | undefined> {
  try {
    const { stdout } = await run(cmd, args, { cwd, timeout: 10_000 });
    return stdout.trim();
  } catch {
    return undefined;
  }
}

async function osName(): Promise<string> {
  try {
    const text = await readFile('/etc/os-release', 'utf8');
    const m = /^PRETTY_NAME="?([^"\n]*)"?$/m.exec(text);
    if (m?.[1]) return m[1];
  } catch {
    // not Linux, or no os-release: fall through to the platform name
  }
  return `${os.type()} ${os.platform()}`;
}

/** Collects the machine facts; `repoRoot` is where git is asked. */
export async function collectMachine(
  bunPath: string,
  repoRoot: string,
  now = new Date(),
): Promise<MachineInfo> {
  const [bun, head, dirty, osPretty] = await Promise.all([
    output(bunPath, ['--version']),
    output('git', ['rev-parse', '--short', 'HEAD'], repoRoot),
    // The report being rewritten is not a change to what is measured.
    output(
      'git',
      ['status', '--porcelain', '--untracked-files=no', '--', '.', ':(exclude)BENCHMARKS.md'],
      repoRoot,
    ),
    osName(),
  ]);
  const cpus = os.cpus();
  return {
    cpu: cpus[0]?.model.trim() || 'unknown',
    cores: cpus.length,
    ramGiB: Math.round((os.totalmem() / 2 ** 30) * 10) / 10,
    os: osPretty,
    kernel: `${os.type()} ${os.release()} ${os.arch()}`,
    node: process.version,
    bun: bun ?? 'unknown',
    date: now.toISOString(),
    commit: head ? `${head}${dirty ? ' (+ uncommitted changes)' : ''}` : 'unknown',
  };
}
