/**
 * `spindle-host dev` and `spindle-host build`. `dev` runs the whole host in this process
 * (`startSpindleHost`) with the dev loop (`loop.ts`) over its extensions, logs through the dev
 * logger, and shuts down cleanly on SIGINT or SIGTERM (a second signal exits at once). `build`
 * builds extension folders once.
 */
import { existsSync, mkdtempSync, rmSync, symlinkSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { basename, join, resolve } from 'node:path';
import { errorMessage } from '@spindle/types';
import { type StartedSpindleHost, startSpindleHost } from '../assemble.ts';
import { discoverExtensions } from '../extensions/discovery.ts';
import {
  type Authenticate,
  createDevAuthenticator,
  createTokenAuthenticator,
  loadTokenFile,
} from '../server/auth.ts';
import {
  BUILD_USAGE,
  DEV_USAGE,
  type DevCliOptions,
  parseBuildArgs,
  parseDevArgs,
} from './args.ts';
import { buildExtension, type ExtensionBuildResult, formatProblem } from './build.ts';
import { createDevLogger, type DevLogger } from './log.ts';
import { type DevLoop, startDevLoop } from './loop.ts';
import { planExtensionBuild } from './sources.ts';

/** Reports one build result through `logger`. */
export function reportBuild(logger: DevLogger, result: ExtensionBuildResult): void {
  const id = result.identifier;
  for (const warning of result.warnings)
    logger.line('warn', id, formatProblem(warning, result.dir));
  if (!result.ok) {
    logger.line('error', id, 'build failed:');
    for (const error of result.errors)
      logger.line('error', id, `  ${formatProblem(error, result.dir)}`);
    return;
  }
  const outputs = result.entries.map((e) => `${e.output} (${(e.bytes / 1024).toFixed(1)} KiB)`);
  logger.line('info', id, `built in ${Math.round(result.durationMs)} ms: ${outputs.join(', ')}`);
}

/** Runs `spindle-host build`; resolves with the exit code. */
export async function runBuildCommand(argv: string[], logger?: DevLogger): Promise<number> {
  let options: ReturnType<typeof parseBuildArgs>;
  try {
    options = parseBuildArgs(argv);
  } catch (error) {
    console.error(`spindle-host build: ${errorMessage(error)}\n\n${BUILD_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(BUILD_USAGE);
    return 0;
  }
  const log = logger ?? createDevLogger();
  let failed = false;
  for (const dir of options.dirs) {
    const result = await buildExtension(dir, {
      sourcemap: options.sourcemap ? 'inline' : 'none',
      minify: options.minify,
    });
    if (result.ok && result.entries.length === 0) {
      log.line(
        'error',
        result.identifier,
        `nothing to build in ${result.dir}: no src/frontend.ts, src/backend.ts or src/children/*.ts`,
      );
      failed = true;
      continue;
    }
    reportBuild(log, result);
    if (!result.ok) failed = true;
  }
  return failed ? 1 : 0;
}

/** A folder of links to single extension folders (`--extension`), removed by `remove()`. */
function linkFolder(dirs: string[]): { path: string; remove(): void } {
  const path = mkdtempSync(join(tmpdir(), 'spindle-dev-'));
  const remove = () => rmSync(path, { recursive: true, force: true });
  try {
    const used = new Set<string>();
    for (const dir of dirs) {
      const target = resolve(dir);
      if (!existsSync(join(target, 'spindle.json'))) {
        throw new Error(`${target} holds no spindle.json`);
      }
      let name = basename(target) || 'extension';
      for (let n = 2; used.has(name); n += 1) name = `${basename(target)}-${n}`;
      used.add(name);
      symlinkSync(target, join(path, name));
    }
  } catch (error) {
    remove();
    throw error;
  }
  return { path, remove };
}

async function authenticatorFor(options: DevCliOptions, logger: DevLogger): Promise<Authenticate> {
  if (options.tokensFile !== undefined) {
    return createTokenAuthenticator({ tokens: await loadTokenFile(options.tokensFile) });
  }
  return createDevAuthenticator({ print: (line) => logger.line('info', undefined, line) })
    .authenticate;
}

/**
 * Builds every extension of `extensionsDir` that has sources (links followed), for development
 * (inline source maps), reporting each through `logger`: what a dev host does before it starts.
 */
export async function buildExtensionsIn(extensionsDir: string, logger: DevLogger): Promise<void> {
  for (const found of await discoverExtensions(extensionsDir)) {
    if (!found.ok) continue;
    if (planExtensionBuild(found.path, found.manifest).entries.length === 0) continue;
    reportBuild(
      logger,
      await buildExtension(found.path, {
        manifest: found.manifest,
        sourcemap: 'inline',
        nodeEnv: 'development',
      }),
    );
  }
}

/** Runs `spindle-host dev`; resolves with the exit code once the host has shut down. */
export async function runDevCommand(argv: string[], logger?: DevLogger): Promise<number> {
  let options: DevCliOptions;
  try {
    options = parseDevArgs(argv);
  } catch (error) {
    console.error(`spindle-host dev: ${errorMessage(error)}\n\n${DEV_USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(DEV_USAGE);
    return 0;
  }
  const log = logger ?? createDevLogger();
  let stopping: NodeJS.Signals | undefined;
  let onStop: ((signal: NodeJS.Signals) => void) | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      log.line('warn', undefined, `${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = signal;
    onStop?.(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  const unhook = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
  };

  let links: ReturnType<typeof linkFolder> | undefined;
  let started: StartedSpindleHost | undefined;
  let loop: DevLoop | undefined;
  try {
    if (options.extensionDirs.length > 0) links = linkFolder(options.extensionDirs);
    const extensionsDir = links?.path ?? (options.extensionsDir as string);
    await buildExtensionsIn(extensionsDir, log);
    started = await startSpindleHost({
      extensionsDir,
      dataDir: options.dataDir,
      ...(options.runtimeMode ? { runtimeMode: options.runtimeMode } : {}),
      port: options.port,
      hostname: options.hostname,
      logger: log,
      authenticate: await authenticatorFor(options, log),
    });
    loop = await startDevLoop({ host: started.host, logger: log });
  } catch (error) {
    log.line('error', undefined, `cannot start: ${errorMessage(error)}`);
    await started?.close();
    links?.remove();
    unhook();
    return 1;
  }
  const { host } = started;
  const running = host.list().filter((e) => e.state === 'running').length;
  log.line(
    'info',
    undefined,
    `${host.runtimeMode} mode listening on http://${host.hostname}:${host.port}: ${running} of ${host.list().length} extensions running, ${loop.extensions.length} watched (Ctrl-C stops)`,
  );
  const host$ = started;
  const loop$ = loop;
  return new Promise<number>((done) => {
    onStop = (signal) => {
      log.line('info', undefined, `${signal}: shutting down`);
      loop$.close();
      host$.close().then(
        () => {
          links?.remove();
          unhook();
          log.line('info', undefined, 'stopped');
          done(0);
        },
        (error) => {
          links?.remove();
          unhook();
          log.line('error', undefined, `shutdown failed: ${errorMessage(error)}`);
          done(1);
        },
      );
    };
    if (stopping !== undefined) onStop(stopping);
  });
}
