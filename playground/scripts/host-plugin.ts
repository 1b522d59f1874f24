/**
 * Vite plugin that runs the playground's app server (`server/app.ts`: the Spindle host mounted
 * on the app's own server, with its `chat` service) next to the dev server: it builds the demo
 * extensions, starts the app server on a free loopback port as a dev host (`--watch`: a saved
 * file rebuilds that extension and restarts its runtime or reloads its frontend in the page),
 * proxies `/ws`, `/api`, `/app` and `/extensions` to it (so the page talks to one origin), and
 * restarts it in another runtime mode on request.
 *
 * Extensions of your own join the demos through `SPINDLE_PLAYGROUND_EXTENSIONS`: one or more
 * extension folders (separated by `:`, `;` on Windows), linked into a private folder next to
 * links to the demos, so nothing is copied and nothing in the repository changes.
 */
import { type ChildProcess, spawn, spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import {
  appendFileSync,
  existsSync,
  mkdirSync,
  mkdtempSync,
  readdirSync,
  rmSync,
  symlinkSync,
  writeFileSync,
} from 'node:fs';
import { createServer } from 'node:net';
import { tmpdir } from 'node:os';
import { basename, delimiter, join, resolve } from 'node:path';
import type { Plugin, ViteDevServer } from 'vite';

/** Runtime modes the selector offers. */
export const MODES = ['process', 'sandbox', 'worker'] as const;
type Mode = (typeof MODES)[number];

/** Options of `spindleHostPlugin`. */
export interface SpindleHostPluginOptions {
  /** Initial runtime mode. @default LUMIVERSE_SPINDLE_RUNTIME_MODE or "process" */
  mode?: Mode;
  /** Where the host keeps its data. @default playground/.data */
  dataDir?: string;
  /** Runtime-stats sample interval for the RSS chart. @default 2000 */
  statsIntervalMs?: number;
  /** Print host logs to the terminal. @default true */
  verbose?: boolean;
  /**
   * Extension folders of your own, hosted next to the demos.
   * @default SPINDLE_PLAYGROUND_EXTENSIONS (folders separated by the path delimiter), else none
   */
  extensions?: string[];
  /**
   * A file the app server's output is appended to as well (end-to-end tests read it).
   * @default SPINDLE_PLAYGROUND_LOG, else none
   */
  logFile?: string;
}

const here = resolve(import.meta.dirname ?? __dirname);
const repo = resolve(here, '..', '..');
// The real binary, not the `node_modules/.bin/bun` shim: the shim runs Bun as a child without
// `exec`, so a signal to it would leave the host running.
const bun = resolve(repo, 'node_modules', 'bun', 'bin', 'bun.exe');
// On Linux the kernel ends the host with TERM when this dev server dies, even by SIGKILL.
const deathGuard =
  process.platform === 'linux' && spawnSync('setpriv', ['--help'], { stdio: 'ignore' }).status === 0
    ? ['setpriv', '--pdeathsig', 'TERM']
    : [];

/**
 * The extensions folder of the app server: the demos' own folder, or, with extra extensions, a
 * private folder of links to every demo and to each extra folder (removed by `remove`).
 */
function extensionsFolder(extra: string[]): { path: string; remove(): void } {
  const demos = resolve(here, '..', 'extensions');
  if (extra.length === 0) return { path: demos, remove: () => {} };
  const path = mkdtempSync(join(tmpdir(), 'spindle-playground-extensions-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    for (const entry of readdirSync(demos, { withFileTypes: true })) {
      if (entry.isDirectory()) symlinkSync(join(demos, entry.name), join(path, entry.name));
    }
    for (const dir of extra) {
      const target = resolve(dir);
      if (!existsSync(join(target, 'spindle.json'))) {
        throw new Error(`SPINDLE_PLAYGROUND_EXTENSIONS: ${target} holds no spindle.json`);
      }
      const name = `extra-${basename(target)}`;
      symlinkSync(target, join(path, name));
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { path, remove };
}

function freePort(): Promise<number> {
  return new Promise((done, fail) => {
    const srv = createServer();
    srv.once('error', fail);
    srv.listen(0, '127.0.0.1', () => {
      const address = srv.address();
      const port = typeof address === 'object' && address ? address.port : 0;
      srv.close(() => done(port));
    });
  });
}

/** The plugin. */
export function spindleHostPlugin(options: SpindleHostPluginOptions = {}): Plugin {
  const envMode = process.env.LUMIVERSE_SPINDLE_RUNTIME_MODE as Mode | undefined;
  let mode: Mode = options.mode ?? (envMode && MODES.includes(envMode) ? envMode : 'process');
  const dataDir = resolve(options.dataDir ?? resolve(here, '..', '.data'));
  const verbose = options.verbose ?? process.env.SPINDLE_PLAYGROUND_QUIET !== '1';
  const tokens = {
    admin: randomBytes(18).toString('base64url'),
    alice: randomBytes(18).toString('base64url'),
    bob: randomBytes(18).toString('base64url'),
  };
  const extra =
    options.extensions ??
    (process.env.SPINDLE_PLAYGROUND_EXTENSIONS ?? '').split(delimiter).filter((d) => d !== '');
  const logFile = options.logFile ?? process.env.SPINDLE_PLAYGROUND_LOG;
  let extensions: { path: string; remove(): void } | undefined;
  let port = 0;
  let child: ChildProcess | undefined;
  let ready: Promise<void> = Promise.resolve();

  /** The extensions folder of this dev server, made on first use and kept across restarts. */
  const extensionsPath = (): string => {
    extensions ??= extensionsFolder(extra);
    return extensions.path;
  };

  const startHost = (): Promise<void> => {
    const tokenFile = resolve(dataDir, 'tokens.json');
    mkdirSync(dataDir, { recursive: true });
    writeFileSync(
      tokenFile,
      JSON.stringify({
        [tokens.admin]: { userId: 'dev', isAdmin: true },
        [tokens.alice]: { userId: 'alice' },
        [tokens.bob]: { userId: 'bob' },
      }),
      { mode: 0o600 },
    );
    const args = [
      resolve(here, '..', 'server', 'app.ts'),
      '--extensions',
      extensionsPath(),
      '--data',
      dataDir,
      '--mode',
      mode,
      '--port',
      String(port),
      '--tokens',
      tokenFile,
      '--watch',
    ];
    const [command, ...prefix] = [...deathGuard, bun];
    const proc = spawn(command!, [...prefix, ...args], {
      cwd: repo,
      stdio: ['ignore', 'pipe', 'pipe'],
      env: {
        ...process.env,
        LUMIVERSE_SPINDLE_RUNTIME_STATS: 'true',
        // The playground is a development tool on loopback: on a machine where it runs as root
        // (a container, CI), its demo extensions run as root too unless the operator names a
        // runtime user (LUMIVERSE_SPINDLE_RUNTIME_USER). A real host refuses that by default.
        LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES:
          process.env.LUMIVERSE_SPINDLE_ALLOW_ROOT_RUNTIMES ?? '1',
        LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: String(options.statsIntervalMs ?? 2000),
      },
    });
    child = proc;
    return new Promise((done, fail) => {
      let settled = false;
      const onLine = (chunk: Buffer, stream: NodeJS.WriteStream) => {
        const text = chunk.toString();
        if (verbose) stream.write(text.replace(/^(?=.)/gm, '[host] '));
        if (logFile) appendFileSync(logFile, text);
        if (!settled && text.includes('listening on')) {
          settled = true;
          done();
        }
      };
      proc.stdout?.on('data', (c: Buffer) => onLine(c, process.stdout));
      proc.stderr?.on('data', (c: Buffer) => onLine(c, process.stderr));
      proc.once('exit', (code, signal) => {
        if (child === proc) child = undefined;
        if (!settled) {
          settled = true;
          fail(
            new Error(`the app server exited before listening (code ${code}, signal ${signal})`),
          );
        }
      });
    });
  };

  // Both `buildEnd` and the HTTP server's `close` stop the host: one SIGTERM, one shared wait
  // (a second SIGTERM would cut the host's graceful shutdown short).
  const stopping = new WeakMap<ChildProcess, Promise<void>>();
  const stopHost = (): Promise<void> => {
    const proc = child;
    if (!proc || proc.exitCode !== null || proc.signalCode !== null) return Promise.resolve();
    const pending = stopping.get(proc);
    if (pending) return pending;
    const exited = new Promise<void>((done) => proc.once('exit', () => done()));
    proc.kill('SIGTERM');
    const timer = setTimeout(() => proc.kill('SIGKILL'), 8000);
    const stopped = exited.finally(() => clearTimeout(timer));
    stopping.set(proc, stopped);
    return stopped;
  };

  const killOnExit = () => {
    child?.kill('SIGKILL');
    extensions?.remove();
  };
  // Ctrl-C or a SIGTERM to the dev server: stop the host, remove the links, then exit (Vite's
  // command line has no handler of its own, and `exit` handlers do not run on a signal).
  const onSignal = (signal: NodeJS.Signals) => {
    void stopHost().finally(() => {
      extensions?.remove();
      process.exit(signal === 'SIGINT' ? 130 : 143);
    });
  };

  return {
    name: 'spindle-host',
    apply: 'serve',
    // `server.close()` awaits this hook: the host is gone when the dev server is.
    async buildEnd() {
      process.off('exit', killOnExit);
      process.off('SIGINT', onSignal);
      process.off('SIGTERM', onSignal);
      await stopHost();
      extensions?.remove();
      extensions = undefined;
    },
    async config() {
      port = await freePort();
      const http = `http://127.0.0.1:${port}`;
      return {
        server: {
          proxy: {
            '/ws': { target: `ws://127.0.0.1:${port}`, ws: true },
            '/api': http,
            '/app': http,
            '/extensions': http,
          },
        },
      };
    },
    async configureServer(server: ViteDevServer) {
      const built = spawnSync(bun, [resolve(here, 'build-extensions.ts')], {
        cwd: repo,
        stdio: verbose ? 'inherit' : 'pipe',
      });
      if (built.status !== 0) throw new Error('building the demo extensions failed');
      process.once('exit', killOnExit);
      process.once('SIGINT', onSignal);
      process.once('SIGTERM', onSignal);
      ready = startHost();
      await ready;
      server.httpServer?.once('close', () => void stopHost());

      server.middlewares.use('/__playground/config', (req, res) => {
        const url = new URL(req.url ?? '/', 'http://x');
        const who = url.searchParams.get('user');
        const token = who === 'alice' ? tokens.alice : who === 'bob' ? tokens.bob : tokens.admin;
        res.setHeader('content-type', 'application/json');
        res.setHeader('cache-control', 'no-store');
        res.end(JSON.stringify({ token, mode, modes: MODES, hostPid: child?.pid ?? null }));
      });
      server.middlewares.use('/__playground/mode', (req, res) => {
        const next = new URL(req.url ?? '/', 'http://x').searchParams.get('mode') as Mode;
        if (req.method !== 'POST' || !MODES.includes(next)) {
          res.statusCode = 400;
          res.end(JSON.stringify({ error: `mode must be one of ${MODES.join(', ')}` }));
          return;
        }
        ready = ready
          .catch(() => undefined)
          .then(async () => {
            await stopHost();
            mode = next;
            await startHost();
          });
        ready.then(
          () => {
            res.setHeader('content-type', 'application/json');
            res.end(JSON.stringify({ mode }));
          },
          (error: unknown) => {
            res.statusCode = 500;
            res.end(JSON.stringify({ error: String(error) }));
          },
        );
      });
    },
  };
}
