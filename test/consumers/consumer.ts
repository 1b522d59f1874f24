/**
 * What the consumer tests share: where the installed project is, and how to start the
 * installed `spindle-host` command and stop it again (also when a test fails).
 */
import { type ChildProcess, spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { inject } from 'vitest';

/** The installed consumer project (see `setup.ts`). */
export const APP: string = inject('consumerApp');
/** Scratch space of the tests, removed with the project. */
export const SCRATCH: string = inject('consumerScratch');
/** This repository: its tools (Vite, TypeScript, Chromium driver) drive the consumer project. */
export const WORKSPACE = resolve(import.meta.dirname, '..', '..');
/** The Bun that npm installed with `@spindle/bun-host`. */
export const INSTALLED_BUN = join(APP, 'node_modules', 'bun', 'bin', 'bun.exe');
/** The `spindle-host` command npm linked into the project. */
export const INSTALLED_BIN = join(APP, 'node_modules', '.bin', 'spindle-host');
/** The consumer project's extensions folder (one extension, `hello`). */
export const EXTENSIONS = join(APP, 'extensions');

/** A new folder under the scratch space. */
export function scratchDir(prefix: string): string {
  return mkdtempSync(join(SCRATCH, `${prefix}-`));
}

/** A running `spindle-host` started from the install. */
export interface InstalledHost {
  /** Its HTTP/WebSocket port. */
  port: number;
  /** Everything it printed so far (stdout and stderr, in arrival order). */
  output(): string;
  /** Resolves once `pattern` appears in the output. */
  waitFor(pattern: RegExp, what: string, timeoutMs?: number): Promise<void>;
  /** SIGTERM, then the exit code (SIGKILL after 20 s). */
  stop(): Promise<number | null>;
}

const running = new Set<ChildProcess>();

/** SIGKILLs every host a test left running; call it in `afterEach`/`afterAll`. */
export function killInstalledHosts(): void {
  for (const child of running) child.kill('SIGKILL');
  running.clear();
}

/**
 * Starts `command` (the installed bin, possibly behind `env -i`) with `spindle-host`'s
 * arguments and resolves once it listens with every enabled extension running.
 */
export async function startInstalledHost(
  command: string[],
  options: { env?: NodeJS.ProcessEnv; timeoutMs?: number } = {},
): Promise<InstalledHost> {
  const [file, ...args] = command;
  const child = spawn(file as string, args, {
    cwd: APP,
    env: options.env ?? process.env,
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  running.add(child);
  let text = '';
  const waiters = new Set<() => void>();
  const append = (chunk: Buffer) => {
    text += chunk.toString('utf8');
    for (const wake of waiters) wake();
  };
  child.stdout?.on('data', append);
  child.stderr?.on('data', append);
  const exited = new Promise<number | null>((done) => {
    child.once('exit', (code) => {
      running.delete(child);
      for (const wake of waiters) wake();
      done(code);
    });
  });

  const waitFor = (pattern: RegExp, what: string, timeoutMs = 60_000) =>
    new Promise<void>((resolveWait, reject) => {
      const check = () => {
        if (pattern.test(text)) {
          finish();
          resolveWait();
        } else if (child.exitCode !== null || child.signalCode !== null) {
          finish();
          reject(new Error(`spindle-host exited before ${what}:\n${text}`));
        }
      };
      const timer = setTimeout(() => {
        finish();
        reject(new Error(`timed out waiting for ${what}:\n${text}`));
      }, timeoutMs);
      const finish = () => {
        clearTimeout(timer);
        waiters.delete(check);
      };
      waiters.add(check);
      check();
    });

  await waitFor(
    /listening on http:\/\/127\.0\.0\.1:\d+: (\d+) of \1 extensions running/,
    'it listens with its extensions running',
    options.timeoutMs,
  );
  const port = Number(/listening on http:\/\/127\.0\.0\.1:(\d+)/.exec(text)?.[1]);
  return {
    port,
    output: () => text,
    waitFor,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const timer = setTimeout(() => child.kill('SIGKILL'), 20_000);
      try {
        return await exited;
      } finally {
        clearTimeout(timer);
      }
    },
  };
}
