/**
 * The dev loop on a real host with a real bridge and SDK "tab": a backend change restarts only
 * that extension's runtime while the session stays connected; a frontend change announces only
 * that extension with a new versioned URL; a syntax error is reported and the previous version
 * keeps answering; a symlinked extension is found and watched at its real folder; a changed
 * `spindle.json` is applied by reloading that extension (an invalid one is refused); built files of an extension without sources are watched.
 */
import { afterEach, describe, expect, setDefaultTimeout, test } from 'bun:test';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { RUNTIME_MODES } from '@spindle/types';
import {
  backendSource,
  type DevHarness,
  frontendSource,
  startDevHarness,
  until,
} from './harness.ts';

setDefaultTimeout(60_000);

const open: DevHarness[] = [];
afterEach(async () => {
  for (const h of open.splice(0)) await h.close();
});

/** A dev harness closed after the test. */
async function start(mode: (typeof RUNTIME_MODES)[number]): Promise<DevHarness> {
  const h = await startDevHarness(mode);
  open.push(h);
  return h;
}

const pidOf = (h: DevHarness, id: string) => h.started.host.get(id)?.pid;

describe.each(RUNTIME_MODES)('dev loop, %s mode', (mode) => {
  test('a backend change restarts that runtime alone; the session stays connected', async () => {
    const h = await start(mode);
    const first = await h.ask('alpha', 'before');
    expect(first.version).toBe('v1');
    const alphaPid = pidOf(h, 'alpha');
    const betaPid = pidOf(h, 'beta');
    const betaAnswer = await h.ask('beta', 'before');
    const sessionId = h.bridge.sessionId;
    const restarted = h.next('restarted', 'alpha');
    writeFileSync(join(h.dirs.alpha, 'src', 'backend.ts'), backendSource('v2'));
    const event = await restarted;
    expect(event.info.state).toBe('running');
    const second = await h.ask('alpha', 'after');
    expect(second.version).toBe('v2');
    // A new runtime (a worker runs in the host's own process, so only its answer tells).
    if (mode !== 'worker') expect(pidOf(h, 'alpha')).not.toBe(alphaPid);
    // The other extension's runtime was not touched; the tab's session never dropped.
    expect(pidOf(h, 'beta')).toBe(betaPid);
    expect((await h.ask('beta', 'after')).pid).toBe(betaAnswer.pid);
    expect(h.bridge.sessionId).toBe(sessionId);
    expect(h.connectionStates).toEqual([]);
    expect(h.states.filter((s) => s.identifier === 'beta')).toEqual([]);
    expect(h.lines.some((l) => /\[alpha\] running again in \d+ ms/.test(l))).toBe(true);
  });
});

describe('dev loop, process mode', () => {
  test('a frontend change announces that extension alone with a new bundle URL', async () => {
    const h = await start('process');
    const listed = h.bridge.extensions.find((e) => e.identifier === 'beta')?.frontendUrl;
    expect(listed).toMatch(/^\/extensions\/beta\/frontend\.js\?v=[0-9a-f]{16}$/);
    const pids = { alpha: pidOf(h, 'alpha'), beta: pidOf(h, 'beta') };
    const reloaded = h.next('reloaded', 'beta');
    writeFileSync(join(h.dirs.beta, 'src', 'frontend.ts'), frontendSource('v2'));
    expect((await reloaded).sessions).toBe(1);
    await until(() => h.states.length > 0, 'the extension_state downlink');
    expect(h.states.map((s) => [s.identifier, s.state])).toEqual([['beta', 'running']]);
    const url = h.states[0]?.frontendUrl;
    expect(url).toMatch(/^\/extensions\/beta\/frontend\.js\?v=[0-9a-f]{16}$/);
    expect(url).not.toBe(listed);
    // The new URL serves the new bundle; no runtime restarted.
    const served = await fetch(`http://127.0.0.1:${h.started.host.port}${url}`);
    expect(await served.text()).toContain('"v2"');
    expect({ alpha: pidOf(h, 'alpha'), beta: pidOf(h, 'beta') }).toEqual(pids);
  });

  test('a syntax error is reported and the previous version keeps running', async () => {
    const h = await start('process');
    expect((await h.ask('alpha', 'before')).version).toBe('v1');
    // The host's view of the pid: inside a process-mode runtime's PID namespace it is another.
    const pidBefore = pidOf(h, 'alpha');
    const failed = h.next('build_failed', 'alpha');
    writeFileSync(join(h.dirs.alpha, 'src', 'backend.ts'), 'spindle.log.info(;\n');
    const { build } = await failed;
    expect(build.errors[0]).toMatchObject({
      file: join(h.dirs.alpha, 'src', 'backend.ts'),
      line: 1,
    });
    expect(h.lines).toContain('[alpha] error build failed; the previous version keeps running:');
    expect(h.lines.some((l) => /\[alpha\] error {3}src\/backend\.ts:1:\d+: /.test(l))).toBe(true);
    // Still the same runtime, still answering.
    expect(h.started.host.get('alpha')).toMatchObject({ state: 'running', pid: pidBefore });
    expect((await h.ask('alpha', 'during')).version).toBe('v1');
    // Fixed: the next save restarts it with the new code.
    const restarted = h.next('restarted', 'alpha');
    writeFileSync(join(h.dirs.alpha, 'src', 'backend.ts'), backendSource('v3'));
    await restarted;
    expect((await h.ask('alpha', 'fixed')).version).toBe('v3');
  });

  test('a symlinked extension is found, runs from its real folder and is watched there', async () => {
    const h = await start('process');
    expect(h.started.host.get('beta')).toMatchObject({ state: 'running', path: h.dirs.beta });
    expect(h.lines).toContain(`[beta] watching ${h.dirs.beta}`);
    const restarted = h.next('restarted', 'beta');
    writeFileSync(join(h.dirs.beta, 'src', 'backend.ts'), backendSource('linked-v2'));
    await restarted;
    expect((await h.ask('beta', 'x')).version).toBe('linked-v2');
  });

  test('a burst of saves is one rebuild; a new file in src/ counts; spindle.json is applied or refused', async () => {
    const h = await start('process');
    let restarts = 0;
    h.loop.events.on('restarted', () => {
      restarts += 1;
    });
    const restarted = h.next('restarted', 'alpha');
    mkdirSync(join(h.dirs.alpha, 'src', 'lib'));
    writeFileSync(join(h.dirs.alpha, 'src', 'lib', 'version.ts'), `export const v = 'burst';\n`);
    for (let i = 0; i < 5; i += 1) {
      writeFileSync(
        join(h.dirs.alpha, 'src', 'backend.ts'),
        `import { v } from './lib/version.ts';\n${backendSource('v2').replace('"v2"', 'v')}// ${i}\n`,
      );
    }
    await restarted;
    await h.loop.idle();
    expect(restarts).toBe(1);
    expect((await h.ask('alpha', 'x')).version).toBe('burst');
    // A module the backend imports is watched too.
    const again = h.next('restarted', 'alpha');
    writeFileSync(
      join(h.dirs.alpha, 'src', 'lib', 'version.ts'),
      `export const v = 'lib-change';\n`,
    );
    await again;
    expect((await h.ask('alpha', 'y')).version).toBe('lib-change');

    // A valid spindle.json change is applied: the extension alone reloads on it.
    const sessionId = h.bridge.sessionId;
    const manifest = { ...h.started.host.get('alpha')?.manifest };
    const applied = h.next('manifest_changed', 'alpha');
    writeFileSync(
      join(h.dirs.alpha, 'spindle.json'),
      JSON.stringify({ ...manifest, version: '1.0.1' }),
    );
    const done = await applied;
    expect(done.applied).toBe(true);
    if (!done.applied) return;
    expect(done.info).toMatchObject({ state: 'running', manifest: { version: '1.0.1' } });
    expect(h.started.host.get('alpha')?.manifest?.version).toBe('1.0.1');
    expect((await h.ask('alpha', 'after manifest')).version).toBe('lib-change');
    expect(h.lines).toContain('[alpha] reloaded: version 1.0.1, running');
    expect(h.bridge.sessionId).toBe(sessionId);
    expect(h.connectionStates).toEqual([]);

    // An invalid one, or one naming another extension, is refused; version 1.0.1 runs on.
    for (const [text, why] of [
      ['{ "version": ', /cannot read .*spindle\.json/],
      [
        JSON.stringify({ ...manifest, version: '2.0.0', identifier: 'other_ext' }),
        /names other_ext/,
      ],
    ] as const) {
      const refused = h.next('manifest_changed', 'alpha');
      writeFileSync(join(h.dirs.alpha, 'spindle.json'), text);
      const event = await refused;
      expect(event.applied).toBe(false);
      if (event.applied) return;
      expect(event.error).toMatch(why);
      expect(h.started.host.get('alpha')).toMatchObject({
        state: 'running',
        manifest: { version: '1.0.1' },
      });
      expect((await h.ask('alpha', 'still')).version).toBe('lib-change');
    }
    expect(
      h.lines.some((l) =>
        l.startsWith('[alpha] error spindle.json not applied; the previous version keeps running'),
      ),
    ).toBe(true);
  });

  test('an extension without sources is watched at its built files', async () => {
    const h = await start('process');
    expect(h.lines).toContain(`[gamma] watching ${h.dirs.gamma} (built files only: no src/)`);
    expect((await h.ask('gamma', 'x')).version).toBe('g1');
    const restarted = h.next('restarted', 'gamma');
    writeFileSync(join(h.dirs.gamma, 'dist', 'backend.js'), backendSource('g2'));
    await restarted;
    expect((await h.ask('gamma', 'y')).version).toBe('g2');
    const reloaded = h.next('reloaded', 'gamma');
    writeFileSync(join(h.dirs.gamma, 'dist', 'frontend.js'), frontendSource('g2'));
    expect((await reloaded).sessions).toBe(1);
    await until(() => h.states.some((s) => s.identifier === 'gamma'), 'the announcement');
    const announced = h.states.filter((s) => s.identifier === 'gamma').at(-1);
    const served = await fetch(`http://127.0.0.1:${h.started.host.port}${announced?.frontendUrl}`);
    expect(await served.text()).toContain('"g2"');
  });
});
