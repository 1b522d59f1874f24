/**
 * What the dev loop watches of an extension: `src/` recursively and `spindle.json` for one with
 * sources, plus the folders of files outside `src/` its build read (never `node_modules`); the
 * built files for one without sources; and which names never count as a change.
 */
import { mkdirSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { isScratchName, watchTargets } from '../../src/dev/watch.ts';

let base: string;
let dir: string;
beforeEach(() => {
  base = mkdtempSync(join(tmpdir(), 'spindle-watch-'));
  dir = join(base, 'ext');
  mkdirSync(join(dir, 'src'), { recursive: true });
  mkdirSync(join(dir, 'dist'), { recursive: true });
});
afterEach(() => rmSync(base, { recursive: true, force: true }));

const plain = (targets: ReturnType<typeof watchTargets>) =>
  targets.map((t) => ({ ...t, names: t.names ? [...t.names].sort() : undefined }));

describe('watchTargets', () => {
  it('sources: the folder (spindle.json, src), src/ recursively, and read files outside src/', () => {
    const targets = watchTargets(dir, {
      hasSources: true,
      inputs: [
        join(dir, 'src', 'backend.ts'),
        join(dir, 'src', 'lib', 'x.ts'),
        join(base, '_ui', 'panel.ts'),
        join(base, '_ui', 'theme.ts'),
        join(dir, 'config.ts'),
        join(dir, 'node_modules', 'dep', 'index.js'),
        join(base, 'node_modules', 'other', 'index.js'),
      ],
      outputs: [],
    });
    expect(plain(targets)).toEqual([
      { dir, recursive: false, names: ['config.ts', 'spindle.json', 'src'] },
      { dir: join(dir, 'src'), recursive: true, names: undefined },
      { dir: join(base, '_ui'), recursive: false, names: ['panel.ts', 'theme.ts'] },
    ]);
  });

  it('no sources: the folder and dist/ recursively, plus an entry outside dist/', () => {
    mkdirSync(join(dir, 'web'));
    const targets = watchTargets(dir, {
      hasSources: false,
      inputs: [],
      outputs: ['web/app.js', 'dist/backend.js'],
    });
    expect(plain(targets)).toEqual([
      { dir, recursive: false, names: ['spindle.json', 'src'] },
      { dir: join(dir, 'dist'), recursive: true, names: undefined },
      { dir: join(dir, 'web'), recursive: false, names: ['app.js'] },
    ]);
  });
});

describe('isScratchName', () => {
  it('editor and build scratch files never count; sources do', () => {
    for (const name of [
      '.backend.ts.swp',
      'backend.ts~',
      '.#backend.ts',
      '4913',
      'sub/.x.swo',
      '.spindle-build-1-ab',
    ]) {
      expect([name, isScratchName(name)]).toEqual([name, true]);
    }
    for (const name of ['backend.ts', 'lib/swap.ts', '.env.ts']) {
      expect([name, isScratchName(name)]).toEqual([name, false]);
    }
  });
});
