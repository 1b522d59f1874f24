/**
 * The steps of a guide written in Markdown (docs/first-extension.md): every fenced code block is
 * preceded by a `<!-- guide: <kind> <arguments> -->` line that says what to do with it, and a
 * few steps have no block. Kinds:
 *
 * - `run` + a `sh` block: run it (one bash script) in the current folder; a `cd` in it moves the
 *   current folder;
 * - `file` + a block whose first line is `// <path>`: write it to that path;
 * - `files` + a `text` block: exactly these files are in the current folder;
 * - `background until="<text>" [cwd=repository]` + a `sh` block: start it and wait for the text
 *   in its output;
 * - `log` + a `text` block: these lines appear in the background output, in order (numbers may
 *   differ);
 * - `stop`: stop the background command (Ctrl-C);
 * - `page "<text>"`: the page at the address the background command printed shows a heading
 *   with the text (and the extension's panel there works).
 *
 * A code block without a directive, a directive without the block it needs, or an unknown kind
 * is an error naming the line: every snippet of the guide is run or checked.
 */

/** One step. */
export type GuideStep =
  | { kind: 'run'; line: number; script: string }
  | { kind: 'file'; line: number; path: string; text: string }
  | { kind: 'files'; line: number; files: string[] }
  | {
      kind: 'background';
      line: number;
      command: string;
      until: string;
      cwd: 'project' | 'repository';
    }
  | { kind: 'log'; line: number; lines: string[] }
  | { kind: 'stop'; line: number }
  | { kind: 'page'; line: number; text: string };

const DIRECTIVE = /^<!-- guide: (\w+)(.*?) -->$/;
const QUOTED = (name: string) => new RegExp(`${name}="([^"]*)"`);

/** Parses the guide; throws naming the line of the first problem. */
export function guideSteps(markdown: string): GuideStep[] {
  const lines = markdown.split('\n');
  const steps: GuideStep[] = [];
  let pending: { kind: string; args: string; line: number } | undefined;
  const fail = (line: number, why: string): never => {
    throw new Error(`guide line ${line}: ${why}`);
  };
  const withoutBlock = (p: { kind: string; args: string; line: number }) => {
    if (p.kind === 'stop') steps.push({ kind: 'stop', line: p.line });
    else if (p.kind === 'page') {
      const text = /"([^"]*)"/.exec(p.args)?.[1];
      if (text === undefined) fail(p.line, 'page needs "<text>"');
      steps.push({ kind: 'page', line: p.line, text: text as string });
    } else fail(p.line, `${p.kind} needs a code block after it`);
  };
  for (let i = 0; i < lines.length; i += 1) {
    const line = lines[i] as string;
    const directive = DIRECTIVE.exec(line.trim());
    if (directive) {
      if (pending) withoutBlock(pending);
      pending = { kind: directive[1] as string, args: (directive[2] ?? '').trim(), line: i + 1 };
      continue;
    }
    const fence = /^```(\w*)\s*$/.exec(line);
    if (!fence) {
      if (pending && line.trim() !== '' && ['stop', 'page'].includes(pending.kind)) {
        withoutBlock(pending);
        pending = undefined;
      }
      continue;
    }
    const start = i + 1;
    const body: string[] = [];
    for (i += 1; i < lines.length && lines[i] !== '```'; i += 1) body.push(lines[i] as string);
    if (i >= lines.length) fail(start, 'code block is not closed');
    if (!pending) fail(start, 'code block without a <!-- guide: … --> line before it');
    const p = pending as { kind: string; args: string; line: number };
    pending = undefined;
    const text = `${body.join('\n')}\n`;
    switch (p.kind) {
      case 'run':
        steps.push({ kind: 'run', line: start, script: text });
        break;
      case 'file': {
        const path = /^\/\/ (\S+)$/.exec(body[0] ?? '')?.[1];
        if (path === undefined) fail(start, 'a file block starts with `// <path>`');
        steps.push({ kind: 'file', line: start, path: path as string, text });
        break;
      }
      case 'files':
        steps.push({ kind: 'files', line: start, files: body.filter((b) => b.trim() !== '') });
        break;
      case 'background': {
        const until = QUOTED('until').exec(p.args)?.[1];
        if (until === undefined) fail(p.line, 'background needs until="<text>"');
        steps.push({
          kind: 'background',
          line: start,
          command: text.trim(),
          until: until as string,
          cwd: /\bcwd=repository\b/.test(p.args) ? 'repository' : 'project',
        });
        break;
      }
      case 'log':
        steps.push({ kind: 'log', line: start, lines: body.filter((b) => b.trim() !== '') });
        break;
      default:
        fail(p.line, `unknown guide step "${p.kind}"`);
    }
  }
  if (pending) withoutBlock(pending);
  return steps;
}

/**
 * A pattern for an expected log line: the text as it is, except that each number matches any
 * number (timings and pids differ from run to run).
 */
export function logLinePattern(line: string): RegExp {
  const parts = line.split(/\d+/).map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&'));
  return new RegExp(parts.join('\\d+'));
}
