/**
 * The `spindle-host` command: starts a host over an extensions folder, logs each runtime's lines
 * tagged `[identifier]`, and shuts down cleanly on SIGINT or SIGTERM (a second signal exits at
 * once).
 */
import { errorMessage } from '@spindle/types';
import { startSpindleHost } from '../assemble.ts';
import { runBuildCommand, runDevCommand } from '../dev/command.ts';
import { createSpindleHost, type SpindleHostOptions } from '../host.ts';
import {
  type Authenticate,
  createDevAuthenticator,
  createTokenAuthenticator,
  loadTokenFile,
} from '../server/auth.ts';
import { type CliOptions, parseCliArgs, USAGE } from './args.ts';

/**
 * Wiring for `runCli`. Empty (the default): the whole host with its WebSocket server and
 * process supervision (`startSpindleHost`). With any member: `createSpindleHost` with exactly
 * that wiring (embedding and tests).
 */
export type CliWiring = Pick<SpindleHostOptions, 'server' | 'processService' | 'frontendGateway'>;

async function authenticatorFor(options: CliOptions): Promise<Authenticate> {
  if (options.tokensFile !== undefined) {
    return createTokenAuthenticator({ tokens: await loadTokenFile(options.tokensFile) });
  }
  const dev = createDevAuthenticator({
    print: (line) => console.log(line),
  });
  return dev.authenticate;
}

/** Runs the command; resolves with the exit code once the host has shut down. */
export async function runCli(argv: string[], wiring: CliWiring = {}): Promise<number> {
  // Subcommands of the author toolkit (src/dev/): a development host and a one-off build.
  if (argv[0] === 'dev') return runDevCommand(argv.slice(1));
  if (argv[0] === 'build') return runBuildCommand(argv.slice(1));
  let options: ReturnType<typeof parseCliArgs>;
  try {
    options = parseCliArgs(argv);
  } catch (error) {
    console.error(`spindle-host: ${errorMessage(error)}\n\n${USAGE}`);
    return 2;
  }
  if (options.help) {
    console.log(USAGE);
    return 0;
  }
  // Signals are caught from the start: one that arrives while the host is still starting stops
  // it as soon as it is up, instead of killing the process with its runtimes half-started.
  let stopping: NodeJS.Signals | undefined;
  let onStop: ((signal: NodeJS.Signals) => void) | undefined;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      console.error(`[spindle-host] ${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = signal;
    onStop?.(signal);
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  let host: Awaited<ReturnType<typeof createSpindleHost>>;
  try {
    const hostOptions = {
      extensionsDir: options.extensionsDir,
      dataDir: options.dataDir,
      ...(options.runtimeMode ? { runtimeMode: options.runtimeMode } : {}),
      port: options.port,
      hostname: options.hostname,
      enable: options.enable,
    };
    host =
      Object.keys(wiring).length > 0
        ? await createSpindleHost({ ...hostOptions, ...wiring })
        : (
            await startSpindleHost({
              ...hostOptions,
              authenticate: await authenticatorFor(options),
            })
          ).host;
  } catch (error) {
    console.error(`[spindle-host] cannot start: ${errorMessage(error)}`);
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    return 1;
  }
  const running = host.list().filter((e) => e.state === 'running').length;
  const where = host.port === undefined ? '' : ` listening on http://${host.hostname}:${host.port}`;
  console.log(
    `[spindle-host] ${host.runtimeMode} mode${where}: ${running} of ${host.list().length} extensions running`,
  );
  const started = host;
  return new Promise<number>((resolve) => {
    onStop = (signal) => {
      console.log(`[spindle-host] ${signal}: shutting down`);
      started.close().then(
        () => {
          console.log('[spindle-host] stopped');
          resolve(0);
        },
        (error) => {
          console.error(`[spindle-host] shutdown failed: ${errorMessage(error)}`);
          resolve(1);
        },
      );
    };
    if (stopping !== undefined) onStop(stopping);
  });
}
