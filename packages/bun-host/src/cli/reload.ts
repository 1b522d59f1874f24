/**
 * SIGHUP (docs/operations.md, "Reloading"): the config file and the token file are read again
 * and applied to the running host without dropping a session: tokens, allowed origins, log level
 * and format, metrics access, drain deadline and the activation settings (policies, idle times,
 * the cap). A setting that needs a restart is reported, not applied. A file with a problem is
 * refused as a whole and the running settings are kept.
 */
import { errorMessage } from '@spindle/types';
import { loadConfigFile } from '../config/load.ts';
import { type HostSettings, RESTART_SETTINGS, resolveSettings } from '../config/resolve.ts';
import type { HostLogEntry, SpindleHost } from '../host-types.ts';
import { createHostLogger, type HostLogger } from '../log/logger.ts';
import { type AuthIdentity, createTokenAuthenticator, loadTokenFile } from '../server/auth.ts';
import type { CliOptions } from './args.ts';

/** An authenticator over the token file at `path`, read now. */
export async function authenticatorFor(
  path: string,
): Promise<(token: string, request?: Request) => Promise<AuthIdentity | null>> {
  const authenticate = createTokenAuthenticator({ tokens: await loadTokenFile(path) });
  return async (token, request) => authenticate(token, request);
}

/** What a reload works on. */
export interface ReloadContext {
  cli: CliOptions;
  configPath: string | undefined;
  /** The settings in force; replaced by a successful reload. */
  live: { settings: HostSettings };
  host: SpindleHost;
  setAuthenticator(next: (token: string, request?: Request) => Promise<AuthIdentity | null>): void;
  setLogger(next: HostLogger): void;
  logger(): HostLogger;
  log(entry: HostLogEntry): void;
}

/** Reads the files again and applies what can change at run time; never throws. */
export async function reloadSettings(context: ReloadContext): Promise<boolean> {
  const { live, log } = context;
  const before = live.settings;
  let next: HostSettings;
  let authenticate: Awaited<ReturnType<typeof authenticatorFor>> | undefined;
  try {
    const file = context.configPath ? await loadConfigFile(context.configPath) : {};
    next = resolveSettings(context.cli, process.env, file, Boolean(process.stdout.isTTY));
    if (next.tokensFile !== undefined) authenticate = await authenticatorFor(next.tokensFile);
  } catch (error) {
    log({
      level: 'error',
      source: 'host',
      event: 'config',
      message: `reload refused, the running settings are kept: ${errorMessage(error)}`,
    });
    return false;
  }
  const needRestart: string[] = RESTART_SETTINGS.filter(
    (key) => JSON.stringify(before[key]) !== JSON.stringify(next[key]),
  );
  if (before.tokensFile !== undefined && next.tokensFile === undefined) {
    // Dropping every token would lock everyone out: development mode needs a restart.
    needRestart.push('tokensFile');
    authenticate = await authenticatorFor(before.tokensFile).catch(() => undefined);
  }
  if (authenticate) context.setAuthenticator(authenticate);
  if (next.log.format !== before.log.format) context.setLogger(createHostLogger(next.log));
  else context.logger().level = next.log.level;
  context.host.configure({ activation: next.activation });
  live.settings = { ...next, ...pick(before, needRestart) };
  if (needRestart.length > 0) {
    log({
      level: 'warn',
      source: 'host',
      event: 'config',
      message: `changed setting(s) that take effect at the next restart: ${needRestart.join(', ')}`,
      data: { needRestart },
    });
  }
  log({
    level: 'info',
    source: 'host',
    event: 'config',
    message: `reloaded${context.configPath ? ` ${context.configPath}` : ''}${authenticate ? ' and the token file' : ''}`,
  });
  return true;
}

function pick(settings: HostSettings, keys: string[]): Partial<HostSettings> {
  const out: Record<string, unknown> = {};
  for (const key of keys) out[key] = (settings as unknown as Record<string, unknown>)[key];
  return out as Partial<HostSettings>;
}
