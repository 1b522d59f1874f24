/**
 * The `spindle-host` command: starts a host over an extensions folder with its settings from
 * flags, environment and config file (docs/operations.md), writes structured logs, drains on
 * SIGTERM or SIGINT (a second signal exits at once) and reloads the config and token files on
 * SIGHUP without dropping sessions. `spindle-host ctl …` controls a running host (`ctl.ts`).
 */
import { errorMessage } from '@spindle/types';
import { startSpindleHost } from '../assemble.ts';
import { findConfigFile, loadConfigFile } from '../config/load.ts';
import { type HostSettings, resolveSettings } from '../config/resolve.ts';
import type { SpindleConfig } from '../config/schema.ts';
import { runBuildCommand, runDevCommand } from '../dev/command.ts';
import {
  createSpindleHost,
  type HostLogEntry,
  type SpindleHost,
  type SpindleHostOptions,
} from '../host.ts';
import { createHostLogger, type HostLogger } from '../log/logger.ts';
import type { ProcessLogRecord } from '../processes/logger.ts';
import { type AuthIdentity, createDevAuthenticator } from '../server/auth.ts';
import { originAllowed } from '../server/cors.ts';
import { type CliOptions, parseCliArgs, USAGE } from './args.ts';
import { runCtl } from './ctl.ts';
import { authenticatorFor, reloadSettings } from './reload.ts';

/**
 * Wiring for `runCli`. Empty (the default): the whole host with its WebSocket server and
 * process supervision (`startSpindleHost`). With any member: `createSpindleHost` with exactly
 * that wiring (embedding and tests).
 */
export type CliWiring = Pick<SpindleHostOptions, 'server' | 'processService' | 'frontendGateway'>;

/** Runs the command; resolves with the exit code once the host has shut down. */
export async function runCli(argv: string[], wiring: CliWiring = {}): Promise<number> {
  if (argv[0] === 'ctl') return runCtl(argv.slice(1));
  // Subcommands of the author toolkit (src/dev/): a development host and a one-off build.
  if (argv[0] === 'dev') return runDevCommand(argv.slice(1));
  if (argv[0] === 'build') return runBuildCommand(argv.slice(1));
  let options: CliOptions;
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
  let onReload: (() => void) | undefined;
  let reloadAsked = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping !== undefined) {
      console.error(`[spindle-host] ${signal} again: exiting now`);
      process.exit(130);
    }
    stopping = signal;
    onStop?.(signal);
  };
  const hup = () => {
    if (onReload) onReload();
    else reloadAsked = true;
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
  process.on('SIGHUP', hup);
  const release = () => {
    process.off('SIGINT', stop);
    process.off('SIGTERM', stop);
    process.off('SIGHUP', hup);
  };

  const configPath = findConfigFile(options.configFile, process.env, process.cwd());
  let settings: HostSettings;
  try {
    const file: SpindleConfig = configPath ? await loadConfigFile(configPath) : {};
    settings = resolveSettings(options, process.env, file, Boolean(process.stdout.isTTY));
  } catch (error) {
    console.error(`spindle-host: ${errorMessage(error)}`);
    release();
    return 2;
  }
  let logger: HostLogger = createHostLogger(settings.log);
  const log = (entry: HostLogEntry) => logger(entry);
  const say = (message: string, event: string, data?: Record<string, unknown>) =>
    log({ level: 'info', source: 'host', message, event, ...(data ? { data } : {}) });

  let host: SpindleHost;
  const live = { settings };
  let authenticate: (token: string, request?: Request) => Promise<AuthIdentity | null>;
  try {
    if (settings.tokensFile === undefined) {
      const dev = createDevAuthenticator({
        print: (line) =>
          log({
            level: 'warn',
            source: 'host',
            event: 'dev_token',
            message: line.replace(/^\[spindle\] /, ''),
          }),
      });
      authenticate = async (token, request) => dev.authenticate(token, request);
    } else {
      authenticate = await authenticatorFor(settings.tokensFile);
    }
    const hostOptions = {
      extensionsDir: settings.extensionsDir,
      dataDir: settings.dataDir,
      ...(settings.runtimeMode ? { runtimeMode: settings.runtimeMode } : {}),
      port: settings.port,
      hostname: settings.hostname,
      enable: settings.enable,
      env: settings.env,
      activation: settings.activation,
      logger: log,
      ...(settings.lumiverseVersion ? { lumiverseVersion: settings.lumiverseVersion } : {}),
      ...settings.launch,
      runtimeLimits: settings.runtimeLimits,
    };
    host =
      Object.keys(wiring).length > 0
        ? await createSpindleHost({ ...hostOptions, ...wiring })
        : (
            await startSpindleHost({
              ...hostOptions,
              authenticate: (token, request) => authenticate(token, request),
              serverOptions: {
                allowedOrigins: (origin) => originAllowed(live.settings.allowedOrigins, origin),
                metricsAccess: () => live.settings.metricsAccess,
                reportError: (error) =>
                  log({
                    level: 'error',
                    source: 'host',
                    event: 'server',
                    message: errorMessage(error),
                  }),
              },
              processOptions: { logger: (record) => log(fromProcessRecord(record)) },
            })
          ).host;
  } catch (error) {
    log({
      level: 'error',
      source: 'host',
      event: 'start',
      message: `cannot start: ${errorMessage(error)}`,
    });
    logger.flush();
    release();
    return 1;
  }
  const running = host.list().filter((e) => e.state === 'running').length;
  const where = host.port === undefined ? '' : ` listening on http://${host.hostname}:${host.port}`;
  say(
    `${host.runtimeMode} mode${where}: ${running} of ${host.list().length} extensions running`,
    'ready',
    { port: host.port, running, extensions: host.list().length, config: configPath ?? null },
  );
  const started = host;
  onReload = () => {
    void reloadSettings({
      cli: options,
      configPath,
      live,
      host: started,
      setAuthenticator: (next) => {
        authenticate = next;
      },
      setLogger: (next) => {
        logger = next;
      },
      logger: () => logger,
      log,
    });
  };
  if (reloadAsked) onReload();
  return new Promise<number>((resolve) => {
    onStop = (signal) => {
      say(`${signal}: draining (deadline ${live.settings.drainDeadlineMs} ms)`, 'shutdown', {
        signal,
      });
      started.drain({ deadlineMs: live.settings.drainDeadlineMs }).then(
        () => {
          say('stopped', 'stopped');
          logger.flush();
          release();
          resolve(0);
        },
        (error) => {
          log({
            level: 'error',
            source: 'host',
            event: 'shutdown',
            message: `shutdown failed: ${errorMessage(error)}`,
          });
          logger.flush();
          release();
          resolve(1);
        },
      );
    };
    if (stopping !== undefined) onStop(stopping);
  });
}

/** A record of process supervision as a host log line. */
function fromProcessRecord(record: ProcessLogRecord): HostLogEntry {
  return {
    level: record.level,
    message: record.message,
    source: record.stream ?? 'host',
    event: 'process',
    ...(record.extensionId === undefined ? {} : { extensionId: record.extensionId }),
    ...(record.processId === undefined ? {} : { data: { processId: record.processId } }),
  };
}
