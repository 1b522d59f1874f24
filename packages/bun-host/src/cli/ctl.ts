/**
 * `spindle-host ctl`: per-extension control of a running host through its admin API
 * (docs/operations.md, "Per-extension control"). Where the host is: `--url`, else `SPINDLE_URL`,
 * else the config file's `hostname` and `port`. The admin token: `--token-file` (a file holding
 * the token), else `SPINDLE_ADMIN_TOKEN`, else the first admin token of the config file's
 * `tokensFile`.
 */
import { readFile } from 'node:fs/promises';
import { parseArgs } from 'node:util';
import { errorMessage, SpindleError } from '@spindle/types';
import { findConfigFile, loadConfigFile } from '../config/load.ts';
import type { SpindleConfig } from '../config/schema.ts';
import { ADMIN_ACTIONS } from '../ops/routes.ts';
import { loadTokenFile } from '../server/auth.ts';

/** Usage of `spindle-host ctl`. */
export const CTL_USAGE = `Usage: spindle-host ctl <command> [extension] [options]

Commands:
  list                       every extension: state, activation, pid
  enable|disable|restart|reload|wake|hibernate <extension>
  health | ready             GET /healthz | /readyz

Options:
  --url <url>          the host, e.g. http://127.0.0.1:7700    [env SPINDLE_URL, else the config file]
  --token-file <file>  a file holding an admin token     [env SPINDLE_ADMIN_TOKEN, else the config's tokensFile]
  --config <file>      the host's configuration file     [env SPINDLE_CONFIG, else ./spindle.config.json]
  --json               print the host's JSON answer as it is
  -h, --help           show this text
`;

/** What `runCtl` writes to; the console by default. */
export interface CtlOutput {
  out(line: string): void;
  err(line: string): void;
}

/** Runs `spindle-host ctl …`; resolves with the exit code (0 ok, 1 refused or failed, 2 usage). */
export async function runCtl(
  argv: string[],
  env: Record<string, string | undefined> = process.env,
  output: CtlOutput = { out: console.log, err: console.error },
): Promise<number> {
  let parsed: ReturnType<typeof parse>;
  try {
    parsed = parse(argv);
  } catch (error) {
    output.err(`spindle-host ctl: ${errorMessage(error)}\n\n${CTL_USAGE}`);
    return 2;
  }
  const { values, positionals } = parsed;
  if (values.help || positionals.length === 0) {
    (values.help ? output.out : output.err)(CTL_USAGE);
    return values.help ? 0 : 2;
  }
  const [command = '', extension] = positionals;
  const isAction = (ADMIN_ACTIONS as readonly string[]).includes(command);
  if (!isAction && !['list', 'health', 'ready'].includes(command)) {
    output.err(`spindle-host ctl: unknown command "${command}"\n\n${CTL_USAGE}`);
    return 2;
  }
  if (isAction && (extension === undefined || positionals.length > 2)) {
    output.err(`spindle-host ctl: ${command} takes one extension identifier\n\n${CTL_USAGE}`);
    return 2;
  }
  try {
    const configPath = findConfigFile(values.config, env, process.cwd());
    const config: SpindleConfig = configPath ? await loadConfigFile(configPath) : {};
    const url = (values.url ?? env.SPINDLE_URL ?? urlFromConfig(config)).replace(/\/+$/, '');
    const needsToken = command !== 'health' && command !== 'ready';
    const token = needsToken ? await adminToken(values['token-file'], env, config) : undefined;
    const route =
      command === 'health'
        ? '/healthz'
        : command === 'ready'
          ? '/readyz'
          : command === 'list'
            ? '/api/admin/extensions'
            : `/api/admin/extensions/${encodeURIComponent(extension ?? '')}/${command}`;
    const response = await fetch(`${url}${route}`, {
      method: isAction ? 'POST' : 'GET',
      headers: token ? { Authorization: `Bearer ${token}` } : {},
      signal: AbortSignal.timeout(120_000),
    });
    const body = (await response.json().catch(() => ({}))) as Record<string, unknown>;
    if (values.json) output.out(JSON.stringify(body, null, 2));
    if (!response.ok) {
      output.err(
        `spindle-host ctl: ${command} failed (${response.status}): ${String(body.message ?? body.status ?? '')}`,
      );
      return 1;
    }
    if (!values.json) output.out(describe(command, body));
    return 0;
  } catch (error) {
    output.err(`spindle-host ctl: ${errorMessage(error)}`);
    return 1;
  }
}

function parse(argv: string[]) {
  return parseArgs({
    args: argv,
    strict: true,
    allowPositionals: true,
    options: {
      url: { type: 'string' },
      'token-file': { type: 'string' },
      config: { type: 'string' },
      json: { type: 'boolean' },
      help: { type: 'boolean', short: 'h' },
    },
  });
}

function urlFromConfig(config: SpindleConfig): string {
  if (config.port === undefined || config.port === 0) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'where is the host? pass --url, set SPINDLE_URL, or give a config file with a fixed port',
    );
  }
  const host = config.hostname ?? '127.0.0.1';
  const bracketed = host.includes(':') ? `[${host}]` : host === '0.0.0.0' ? '127.0.0.1' : host;
  return `http://${bracketed}:${config.port}`;
}

async function adminToken(
  file: string | undefined,
  env: Record<string, string | undefined>,
  config: SpindleConfig,
): Promise<string> {
  if (file !== undefined) return (await readFile(file, 'utf8')).trim();
  const fromEnv = env.SPINDLE_ADMIN_TOKEN?.trim();
  if (fromEnv) return fromEnv;
  if (config.tokensFile !== undefined) {
    const tokens = await loadTokenFile(config.tokensFile);
    const admin = Object.entries(tokens).find(([, identity]) => identity.isAdmin);
    if (admin) return admin[0];
  }
  throw new SpindleError(
    'UNAUTHORIZED',
    'no admin token: pass --token-file, set SPINDLE_ADMIN_TOKEN, or give a config file whose tokensFile has an admin token',
  );
}

/** One line per extension, or the outcome of an action. */
function describe(command: string, body: unknown): string {
  const line = (e: Record<string, unknown>) => {
    const activation = e.activation as { policy?: string; lastExitReason?: string } | undefined;
    const parts = [`${String(e.identifier)}: ${String(e.state)}`];
    if (activation?.policy) parts.push(`(${activation.policy})`);
    if (e.pid !== undefined) parts.push(`pid ${String(e.pid)}`);
    if (activation?.lastExitReason) parts.push(`last exit: ${activation.lastExitReason}`);
    if (e.error) parts.push(`— ${String(e.error).split('\n')[0]}`);
    return parts.join(' ');
  };
  if (command === 'list' && Array.isArray(body)) {
    return body.map((e) => line(e as Record<string, unknown>)).join('\n');
  }
  if (command === 'health' || command === 'ready') {
    return String((body as { status?: unknown }).status);
  }
  return line(body as Record<string, unknown>);
}
