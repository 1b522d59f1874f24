/**
 * The reader of guide steps (`guide-steps.ts`): each kind, the refusals that keep every snippet
 * of a guide run or checked, and docs/first-extension.md itself parsing into steps that cover
 * all of its code blocks.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { guideSteps, logLinePattern } from './guide-steps.ts';

const fence = '```';

describe('guideSteps', () => {
  it('reads every kind of step', () => {
    const md = [
      '# A guide',
      '<!-- guide: run -->',
      `${fence}sh`,
      'echo hi',
      fence,
      'Text.',
      '<!-- guide: file -->',
      `${fence}ts`,
      '// src/a.ts',
      'export {};',
      fence,
      '<!-- guide: files -->',
      `${fence}text`,
      'a.txt',
      'b/c.txt',
      fence,
      '<!-- guide: background cwd=repository until="ready now" -->',
      `${fence}sh`,
      'serve --port 1',
      fence,
      '<!-- guide: log -->',
      `${fence}text`,
      '[x] took 12 ms',
      fence,
      '<!-- guide: page "Hello there" -->',
      '',
      '<!-- guide: stop -->',
    ].join('\n');
    expect(guideSteps(md)).toEqual([
      { kind: 'run', line: 3, script: 'echo hi\n' },
      { kind: 'file', line: 8, path: 'src/a.ts', text: '// src/a.ts\nexport {};\n' },
      { kind: 'files', line: 13, files: ['a.txt', 'b/c.txt'] },
      {
        kind: 'background',
        line: 18,
        command: 'serve --port 1',
        until: 'ready now',
        cwd: 'repository',
      },
      { kind: 'log', line: 22, lines: ['[x] took 12 ms'] },
      { kind: 'page', line: 25, text: 'Hello there' },
      { kind: 'stop', line: 27 },
    ]);
  });

  it('refuses a block without a directive, a directive without its block, unknown kinds', () => {
    expect(() => guideSteps(`text\n${fence}sh\nrm -rf x\n${fence}\n`)).toThrow(
      'guide line 2: code block without a <!-- guide: … --> line before it',
    );
    expect(() => guideSteps('<!-- guide: run -->\n\nJust text.\n')).toThrow(
      'guide line 1: run needs a code block after it',
    );
    expect(() => guideSteps(`<!-- guide: maybe -->\n${fence}sh\nx\n${fence}\n`)).toThrow(
      'guide line 1: unknown guide step "maybe"',
    );
    expect(() => guideSteps(`<!-- guide: file -->\n${fence}ts\nno path\n${fence}\n`)).toThrow(
      'a file block starts with `// <path>`',
    );
    expect(() => guideSteps(`<!-- guide: background -->\n${fence}sh\nx\n${fence}\n`)).toThrow(
      'background needs until="<text>"',
    );
  });

  it('log lines match with any numbers', () => {
    const pattern = logLinePattern('[my_extension] running again in 15 ms (pid 4242)');
    expect(pattern.test('[my_extension] running again in 3 ms (pid 99)')).toBe(true);
    expect(pattern.test('[my_extension] running again in ms (pid 99)')).toBe(false);
  });

  it('docs/first-extension.md: every code block is a step', () => {
    const md = readFileSync(
      join(import.meta.dirname, '..', '..', 'docs', 'first-extension.md'),
      'utf8',
    );
    const steps = guideSteps(md);
    const blocks = md.split('\n').filter((line) => line.startsWith('```')).length / 2;
    expect(steps.filter((s) => s.kind !== 'stop' && s.kind !== 'page')).toHaveLength(blocks);
    expect(steps.filter((s) => s.kind === 'stop')).toHaveLength(3);
  });
});
