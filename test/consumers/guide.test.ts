/**
 * docs/first-extension.md, run from top to bottom as a reader would, in a fresh folder: every
 * command, every file, every expected listing and log line (`test/docs/guide-steps.ts` reads the
 * steps). The packages come from the packed tarballs: `npm create spindle-extension@latest`
 * runs the packed generator (`npm exec --package=<tarball>`, which is what `npm create` does
 * with a package from the registry), and before the first `npm install` the project's `@spindle/*`
 * dependencies are pointed at the tarballs, as they are not on the registry yet. The playground
 * step runs `pnpm dev` in this repository and opens the page in Chromium.
 *
 * It also measures what the issue asks for: the time from `npm create` to a passing `npm test`
 * in a fresh folder (printed; it depends on the machine and on the npm cache).
 */
import { type ChildProcess, execFile, spawn } from 'node:child_process';
import { readdirSync, readFileSync, statSync, writeFileSync } from 'node:fs';
import { join, relative, resolve } from 'node:path';
import { promisify } from 'node:util';
import { type Browser, chromium } from 'playwright-core';
import { afterAll, expect, test } from 'vitest';
import { guideSteps, logLinePattern } from '../docs/guide-steps.ts';
import { scratchDir, WORKSPACE } from './consumer.ts';
import { projectEnv, TARBALLS, useTarballs } from './scaffold.ts';

const exec = promisify(execFile);
/** Chromium from Debian (`apt-get install chromium`); override with SPINDLE_CHROMIUM. */
const CHROMIUM = process.env.SPINDLE_CHROMIUM ?? '/usr/bin/chromium';
const GUIDE = join(WORKSPACE, 'docs', 'first-extension.md');
const ESC = String.fromCharCode(27);
const ANSI = new RegExp(`${ESC}\\[[0-9;]*m`, 'g');

interface Background {
  child: ChildProcess;
  output: () => string;
  exited: Promise<void>;
  /** Its TMPDIR, empty again once it stopped (a dev host's private folders are gone). */
  tmp: string;
}

let background: Background | undefined;
let browser: Browser | undefined;

/** Stops the background command's whole process group (Ctrl-C, then SIGKILL). */
async function stopBackground(): Promise<void> {
  const current = background;
  background = undefined;
  if (!current?.child.pid) return;
  const group = -current.child.pid;
  const alive = () => {
    try {
      process.kill(group, 0);
      return true;
    } catch {
      return false;
    }
  };
  if (alive()) process.kill(group, 'SIGINT');
  const deadline = Date.now() + 30_000;
  while (alive() && Date.now() < deadline) await new Promise((r) => setTimeout(r, 50));
  if (alive()) process.kill(group, 'SIGKILL');
  await current.exited;
  expect(alive(), 'the background command left processes behind').toBe(false);
  expect(readdirSync(current.tmp), 'the background command left temporary files').toEqual([]);
}

afterAll(async () => {
  await browser?.close().catch(() => undefined);
  await stopBackground().catch(() => undefined);
});

function filesOf(dir: string, base = dir): string[] {
  return readdirSync(dir).flatMap((name) => {
    if (name === 'node_modules') return [];
    const path = join(dir, name);
    return statSync(path).isDirectory() ? filesOf(path, base) : [relative(base, path)];
  });
}

async function waitFor(check: () => boolean, what: string, ms = 180_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!check()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await new Promise((r) => setTimeout(r, 50));
  }
}

test('docs/first-extension.md, every step in a fresh folder', async () => {
  const steps = guideSteps(readFileSync(GUIDE, 'utf8'));
  const creator = TARBALLS['create-spindle-extension'] as string;
  let cwd = scratchDir('guide');
  let project: string | undefined;
  let tarballsUsed = false;
  const env = () => projectEnv(project ? { MY_EXTENSION: project } : {});
  const timing: { created?: number; tested?: number } = {};

  for (const step of steps) {
    const at = `guide line ${step.line}`;
    if (step.kind === 'run') {
      if (step.script.includes('npm install') && !tarballsUsed) {
        useTarballs(cwd, 'npm');
        tarballsUsed = true;
      }
      const script = step.script.replaceAll(
        'npm create spindle-extension@latest',
        `npm exec --yes --package=${creator} -- create-spindle-extension`,
      );
      const cwdFile = join(scratchDir('guide-cwd'), 'cwd');
      const started = Date.now();
      try {
        await exec('bash', ['-c', `set -euo pipefail\n${script}\npwd > "${cwdFile}"`], {
          cwd,
          env: env(),
          timeout: 300_000,
          maxBuffer: 32 * 1024 * 1024,
        });
      } catch (error) {
        const { stdout = '', stderr = '' } = error as { stdout?: string; stderr?: string };
        throw new Error(`${at}: the commands failed:\n${script}\n${stdout}${stderr}`);
      }
      cwd = readFileSync(cwdFile, 'utf8').trim();
      if (script.includes('create-spindle-extension')) {
        timing.created = started;
        project = cwd;
      }
      if (timing.created !== undefined && timing.tested === undefined && /npm test/.test(script)) {
        timing.tested = Date.now();
      }
    } else if (step.kind === 'file') {
      writeFileSync(resolve(cwd, step.path), step.text);
    } else if (step.kind === 'files') {
      expect(filesOf(cwd).sort(), at).toEqual([...step.files].sort());
    } else if (step.kind === 'background') {
      expect(background, `${at}: a background command is still running`).toBeUndefined();
      const tmp = scratchDir('guide-tmp');
      const child = spawn('bash', ['-c', step.command], {
        cwd: step.cwd === 'repository' ? WORKSPACE : cwd,
        env: { ...env(), TMPDIR: tmp },
        detached: true,
        stdio: ['ignore', 'pipe', 'pipe'],
      });
      let text = '';
      const append = (chunk: Buffer) => {
        text += chunk.toString('utf8');
      };
      child.stdout?.on('data', append);
      child.stderr?.on('data', append);
      const exited = new Promise<void>((done) => child.once('exit', () => done()));
      background = { child, output: () => text.replace(ANSI, ''), exited, tmp };
      const running = background;
      await waitFor(
        () => running.output().includes(step.until) || child.exitCode !== null,
        `"${step.until}" from ${step.command}`,
      );
      expect(child.exitCode, `${at}: ${step.command} exited:\n${running.output()}`).toBeNull();
    } else if (step.kind === 'log') {
      const running = background;
      if (!running) throw new Error(`${at}: no background command to read`);
      const found = () => {
        // Without the timestamps the dev host puts in front of each line.
        const lines = running
          .output()
          .split('\n')
          .map((line) => line.replace(/^\d\d:\d\d:\d\d\.\d{3} /, ''));
        let from = 0;
        for (const expected of step.lines) {
          const pattern = logLinePattern(expected);
          const index = lines.findIndex((line, i) => i >= from && pattern.test(line));
          if (index === -1) return false;
          from = index + 1;
        }
        return true;
      };
      await waitFor(found, `${at}: the log lines\n${step.lines.join('\n')}`, 60_000).catch(
        (error: Error) => {
          throw new Error(`${error.message}\nlogged:\n${running.output()}`);
        },
      );
    } else if (step.kind === 'stop') {
      await stopBackground();
    } else if (step.kind === 'page') {
      const url = /Local:\s+(http:\/\/\S+)/.exec(background?.output() ?? '')?.[1];
      if (!url) throw new Error(`${at}: no address in the output:\n${background?.output()}`);
      browser ??= await chromium.launch({
        executablePath: CHROMIUM,
        args: ['--headless', '--no-sandbox', '--disable-gpu', '--no-first-run'],
      });
      const context = await browser.newContext();
      try {
        const page = await context.newPage();
        await page.goto(url);
        await page
          .getByRole('heading', { name: step.text, exact: true })
          .waitFor({ timeout: 60_000 });
        // The panel works: its count (kept by the backend in the playground's data) goes up.
        const counter = page.locator('[data-my_extension] [data-counter]');
        await expect.poll(() => counter.textContent(), { timeout: 30_000 }).toMatch(/^Count: \d+$/);
        const before = Number((await counter.textContent())?.slice('Count: '.length));
        await page.locator('[data-my_extension] [data-add]').click();
        await expect
          .poll(() => counter.textContent(), { timeout: 30_000 })
          .toBe(`Count: ${before + 1}`);
      } finally {
        await context.close();
      }
    }
  }
  expect(timing.tested, 'the guide runs npm test after npm create').toBeDefined();
  const seconds = (((timing.tested as number) - (timing.created as number)) / 1000).toFixed(1);
  console.log(`[guide] npm create → npm install → passing npm test, fresh folder: ${seconds} s`);
}, 900_000);
