/**
 * Runs the `spindle-host` command as a child for the CLI tests: its stdout parsed as JSON log
 * lines, its stderr as text, every child killed and every folder removed by `cleanupCli()`.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { isAlive, waitUntil } from './helpers.ts';

/** The command's program. */
export const BIN = fileURLToPath(new URL('../../src/cli/bin.ts', import.meta.url));

const started: number[] = [];
const dirs: string[] = [];

/** Kills what `runCli` started and removes the temp folders. */
export function cleanupCli(): void {
  for (const pid of started.splice(0)) {
    if (isAlive(pid)) process.kill(pid, 'SIGKILL');
  }
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
}

/** A temp folder removed by `cleanupCli`. */
export function cliTempDir(): string {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-cli-'));
  dirs.push(dir);
  return dir;
}

/** One JSON log line of the command. */
export interface LogLine {
  level: string;
  time: string;
  msg: string;
  pid: number;
  source: string;
  extension?: string;
  mode?: string;
  event?: string;
  [key: string]: unknown;
}

/** A running command. */
export interface RunningCli {
  pid: number;
  exited: Promise<number>;
  /** JSON lines of stdout so far. */
  lines(): LogLine[];
  stdout(): string;
  stderr(): string;
  kill(signal: NodeJS.Signals): void;
  /** Waits for a log line matching `predicate`. */
  waitForLine(
    predicate: (line: LogLine) => boolean,
    what: string,
    timeoutMs?: number,
  ): Promise<LogLine>;
}

/** Starts `spindle-host args…` with `env` added to this process's environment. */
export function runCli(args: string[], env: Record<string, string> = {}, cwd?: string): RunningCli {
  const child = Bun.spawn({
    cmd: [process.execPath, BIN, ...args],
    stdout: 'pipe',
    stderr: 'pipe',
    env: { ...process.env, ...env },
    ...(cwd ? { cwd } : {}),
  });
  started.push(child.pid);
  let out = '';
  let err = '';
  const decoder = new TextDecoder();
  void (async () => {
    for await (const chunk of child.stdout) out += decoder.decode(chunk, { stream: true });
  })();
  void (async () => {
    for await (const chunk of child.stderr) err += new TextDecoder().decode(chunk);
  })();
  const lines = () =>
    out
      .split('\n')
      .filter((line) => line.startsWith('{'))
      .map((line) => JSON.parse(line) as LogLine);
  return {
    pid: child.pid,
    exited: child.exited,
    lines,
    stdout: () => out,
    stderr: () => err,
    kill: (signal) => child.kill(signal),
    async waitForLine(predicate, what, timeoutMs = 15_000) {
      await waitUntil(() => lines().some(predicate), timeoutMs, what);
      return lines().find(predicate) as LogLine;
    },
  };
}
