/**
 * The command's configuration (docs/operations.md, "Configuration"): a config file with clear
 * errors, the precedence of flags over environment over file, SIGHUP reloading the config and
 * token files without dropping a session (in every mode), and `spindle-host ctl`.
 */
import { afterEach, describe, expect, test } from 'bun:test';
import { existsSync, readdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import { TestClient } from '../server/helpers.ts';
import { cleanupCli, cliTempDir, runCli } from './cli-run.ts';
import { FIXTURES } from './helpers.ts';

afterEach(cleanupCli);

const ADMIN_A = 'first-admin-token-0123456789';
const ADMIN_B = 'second-admin-token-012345678';

function writeJson(path: string, value: unknown): string {
  writeFileSync(path, JSON.stringify(value, null, 2));
  return path;
}

describe('config errors', () => {
  test('every problem of a config file is named with its path, and the command exits 2', async () => {
    const dir = cliTempDir();
    const config = writeJson(join(dir, 'spindle.config.json'), {
      port: 70_000,
      extensionDir: './typo',
      activation: { idleAfterMs: -5 },
      extensions: { probe: { activation: 'sometimes' } },
    });
    const cli = runCli(['--config', config]);
    expect(await cli.exited).toBe(2);
    const err = cli.stderr();
    expect(err).toContain(`config file ${config} has 4 problem(s)`);
    expect(err).toContain('port: must be in [0, 65535]');
    expect(err).toContain('extensionDir: unknown setting');
    expect(err).toContain('activation.idleAfterMs: must not be negative');
    expect(err).toContain('extensions.probe.activation: must be "eager" or "lazy"');
  });

  test('a file that is not JSON, or not there, is refused with its name', async () => {
    const dir = cliTempDir();
    writeFileSync(join(dir, 'bad.json'), '{ "port": 1,, }');
    const bad = runCli(['--config', join(dir, 'bad.json')]);
    expect(await bad.exited).toBe(2);
    expect(bad.stderr()).toContain(`config file ${join(dir, 'bad.json')} is not valid JSON`);
    const missing = runCli([], { SPINDLE_CONFIG: join(dir, 'absent.json') });
    expect(await missing.exited).toBe(2);
    expect(missing.stderr()).toContain(`config file ${join(dir, 'absent.json')} cannot be read`);
  });

  test('./spindle.config.json is found in the working folder; flags beat env beat the file', async () => {
    const dir = cliTempDir();
    writeJson(join(dir, 'spindle.config.json'), {
      extensionsDir: FIXTURES,
      dataDir: './data',
      runtimeMode: 'process',
      enable: ['probe'],
      log: { level: 'info' },
    });
    const cli = runCli(['--enable', 'sleeper'], { LUMIVERSE_SPINDLE_RUNTIME_MODE: 'worker' }, dir);
    const ready = await cli.waitForLine((l) => l.event === 'ready', 'ready');
    expect(ready.msg).toMatch(/^worker mode listening on .*: 0 of 8 extensions running$/);
    expect(ready.config).toBe(join(dir, 'spindle.config.json'));
    // `enable` came from the flag: the lazy sleeper is enabled (hibernated), the probe is not.
    const states = cli.lines().filter((l) => l.event === 'state');
    expect(states.some((l) => l.extension === 'sleeper' && l.state === 'hibernated')).toBe(true);
    expect(states.some((l) => l.extension === 'probe')).toBe(false);
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });
});

describe('launch settings and runtime limits from the file', () => {
  test('the cache folder (relative to the file) and the limits reach the runtimes', async () => {
    const dir = cliTempDir();
    const config = writeJson(join(dir, 'spindle.config.json'), {
      extensionsDir: FIXTURES,
      dataDir: './data',
      cacheDir: './run-cache',
      runtimeMode: 'process',
      enable: ['probe'],
      // The probe logs "probe: imported" at start: cut into pieces of 8 bytes.
      runtimeLimits: { maxLogLineBytes: 8 },
    });
    const cli = runCli(['--config', config]);
    const ready = await cli.waitForLine((l) => l.event === 'ready', 'ready');
    expect(ready.msg).toMatch(/: 1 of 8 extensions running$/);
    // The bundled bootstrap was built into the file's cache folder, not <data>/cache.
    const cached = readdirSync(join(dir, 'run-cache'));
    expect(cached.some((name) => /^runtime-child-main-.*\.js$/.test(name))).toBe(true);
    expect(existsSync(join(dir, 'data', 'cache'))).toBe(false);
    await cli.waitForLine(
      (l) => l.extension === 'probe' && String(l.msg).startsWith('[continued]'),
      'the last piece of the cut line',
    );
    const probeLines = cli
      .lines()
      .filter((l) => l.extension === 'probe')
      .map((l) => l.msg);
    expect(probeLines).toContain('probe: i [line continues]');
    expect(probeLines).toContain('[continued] mported');
    // Activation lines carry the runtime mode like every runtime line.
    const activated = await cli.waitForLine((l) => l.event === 'activation', 'activation line');
    expect(activated).toMatchObject({ extension: 'probe', mode: 'process' });
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
  });

  test('a bad launch setting in the file is named, and the command exits 2', async () => {
    const dir = cliTempDir();
    const config = writeJson(join(dir, 'spindle.config.json'), {
      pidsMax: 4,
      runtimeLimits: { pingTimeoutMs: -1 },
    });
    const cli = runCli(['--config', config]);
    expect(await cli.exited).toBe(2);
    expect(cli.stderr()).toContain('pidsMax: must be at least 16');
    expect(cli.stderr()).toContain('runtimeLimits.pingTimeoutMs: must not be negative');
  });
});

describe.each(RUNTIME_MODES)('SIGHUP in %s mode', (mode) => {
  test('reloads tokens, log level, activation, origins, metrics access and drain deadline; sessions stay; a bad file is refused', async () => {
    const dir = cliTempDir();
    const tokens = writeJson(join(dir, 'tokens.json'), {
      [ADMIN_A]: { userId: 'root', isAdmin: true },
    });
    const base = {
      extensionsDir: FIXTURES,
      dataDir: join(dir, 'data'),
      runtimeMode: mode,
      enable: ['probe'],
      tokensFile: tokens,
      log: { level: 'info' },
    };
    const config = writeJson(join(dir, 'spindle.config.json'), base);
    const cli = runCli(['--config', config]);
    const ready = await cli.waitForLine((l) => l.event === 'ready', 'ready');
    const port = Number(ready.port);
    const url = `http://127.0.0.1:${port}`;
    const client = await TestClient.connect(`ws://127.0.0.1:${port}/ws`);
    client.hello(ADMIN_A);
    await client.until((frames) => frames.some((f) => f.type === 'welcome'), 'welcome');
    const app = 'https://app.example.com';
    expect(await opensFrom(port, app)).toBe(false);
    expect((await fetch(`${url}/metrics`)).status).toBe(200);

    writeJson(tokens, { [ADMIN_B]: { userId: 'root', isAdmin: true } });
    writeJson(config, {
      ...base,
      port: 4321,
      log: { level: 'debug' },
      activation: { idleAfterMs: 60_000 },
      allowedOrigins: [app],
      metrics: { access: 'admin' },
      drain: { deadlineMs: 4321 },
    });
    cli.kill('SIGHUP');
    await cli.waitForLine((l) => l.event === 'config' && l.level === 'info', 'the reload');
    expect(cli.lines()).toContainEqual(
      expect.objectContaining({ level: 'warn', event: 'config', needRestart: ['port'] }),
    );
    const as = (token: string) => ({ headers: { Authorization: `Bearer ${token}` } });
    expect((await fetch(`${url}/api/admin/extensions`, as(ADMIN_A))).status).toBe(401);
    const list = await fetch(`${url}/api/admin/extensions`, as(ADMIN_B));
    expect(list.status).toBe(200);
    const probe = ((await list.json()) as Array<Record<string, unknown>>).find(
      (e) => e.identifier === 'probe',
    );
    expect(probe).toMatchObject({ state: 'running', activation: { idleAfterMs: 60_000 } });
    // The origins, the metrics access and the drain deadline changed too.
    expect(await opensFrom(port, app)).toBe(true);
    expect((await fetch(`${url}/metrics`)).status).toBe(401);
    expect((await fetch(`${url}/metrics`, as(ADMIN_B))).status).toBe(200);
    // The session opened with the old token is still there.
    client.send({ type: 'ping', at: 1 });
    await client.until((frames) => frames.some((f) => f.type === 'pong'), 'pong');
    expect(client.ws.readyState).toBe(WebSocket.OPEN);

    writeFileSync(config, '{ "port": "nope" }');
    cli.kill('SIGHUP');
    await cli.waitForLine((l) => l.event === 'config' && l.level === 'error', 'the refusal');
    expect(cli.lines().find((l) => l.level === 'error' && l.event === 'config')?.msg).toContain(
      'reload refused, the running settings are kept',
    );
    expect((await fetch(`${url}/api/admin/extensions`, as(ADMIN_B))).status).toBe(200);
    cli.kill('SIGTERM');
    expect(await cli.exited).toBe(0);
    expect(cli.lines().find((l) => l.event === 'shutdown')?.msg).toContain('deadline 4321 ms');
  });
});

/** Whether a WebSocket to the host opens when the page it comes from is `origin`. */
function opensFrom(port: number, origin: string): Promise<boolean> {
  return new Promise((resolve) => {
    const ws = new WebSocket(`ws://127.0.0.1:${port}/ws`, {
      headers: { Origin: origin },
    } as unknown as string[]);
    ws.onopen = () => {
      ws.close();
      resolve(true);
    };
    ws.onerror = () => resolve(false);
  });
}

describe('spindle-host ctl', () => {
  test('lists, hibernates, wakes, restarts and reports errors, finding host and token in the config', async () => {
    const dir = cliTempDir();
    const tokens = writeJson(join(dir, 'tokens.json'), {
      [ADMIN_A]: { userId: 'root', isAdmin: true },
    });
    const config = writeJson(join(dir, 'spindle.config.json'), {
      extensionsDir: FIXTURES,
      dataDir: join(dir, 'data'),
      runtimeMode: 'worker',
      enable: ['probe', 'sleeper'],
      tokensFile: tokens,
      port: 0,
    });
    const host = runCli(['--config', config]);
    const ready = await host.waitForLine((l) => l.event === 'ready', 'ready');
    const url = `http://127.0.0.1:${ready.port}`;
    const ctl = async (...args: string[]) => {
      const run = runCli(['ctl', ...args], { SPINDLE_URL: url, SPINDLE_CONFIG: config });
      const code = await run.exited;
      return { code, out: run.stdout(), err: run.stderr() };
    };
    const list = await ctl('list');
    expect(list.code).toBe(0);
    expect(list.out).toMatch(/^probe: running \(eager\) pid \d+$/m);
    expect(list.out).toMatch(/^sleeper: hibernated \(lazy\)$/m);
    expect(list.out).toMatch(/^Bad-Name: error — invalid spindle\.json/m);
    expect(await ctl('hibernate', 'probe')).toMatchObject({
      code: 0,
      out: expect.stringMatching(/^probe: hibernated \(eager\) last exit: hibernated/),
    });
    expect((await ctl('wake', 'probe')).out).toMatch(/^probe: running/);
    expect((await ctl('restart', 'sleeper')).out).toMatch(/^sleeper: running/);
    const missing = await ctl('disable', 'nope');
    expect(missing.code).toBe(1);
    expect(missing.err).toContain('disable failed (404): [spindle] no extension "nope"');
    expect(await ctl('ready')).toMatchObject({ code: 0, out: 'ready\n' });
    expect((await ctl('explode')).code).toBe(2);
    expect((await ctl('restart')).code).toBe(2);
    const json = await ctl('list', '--json');
    expect(JSON.parse(json.out)).toContainEqual(expect.objectContaining({ identifier: 'probe' }));
    host.kill('SIGTERM');
    expect(await host.exited).toBe(0);
    const down = await ctl('health');
    expect(down.code).toBe(1);
  });
});
