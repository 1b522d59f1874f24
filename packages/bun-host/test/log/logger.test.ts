/**
 * The structured log (docs/operations.md, "Logs"): JSON lines with time, level, extension, mode,
 * pid, event and source; levels that can change at run time; a pretty mode for terminals.
 */
import { Writable } from 'node:stream';
import { describe, expect, it } from 'vitest';
import { createHostLogger } from '../../src/log/logger.ts';

function capture() {
  const lines: string[] = [];
  const stream = new Writable({
    write(chunk, _encoding, done) {
      lines.push(String(chunk));
      done();
    },
  });
  return { lines, stream };
}

describe('createHostLogger', () => {
  it('writes one JSON line per entry with the structured fields', () => {
    const out = capture();
    const log = createHostLogger({ destination: out.stream });
    log({
      level: 'warn',
      message: 'runtime 42 ended: crashed (code 1)',
      extensionId: 'demo',
      source: 'host',
      event: 'exit',
      pid: 42,
      runtimeMode: 'process',
      data: { reason: 'crashed' },
    });
    log({ level: 'info', message: 'host line', source: 'host' });
    expect(out.lines).toHaveLength(2);
    const first = JSON.parse(out.lines[0] as string);
    expect(first).toEqual({
      level: 'warn',
      time: expect.stringMatching(/^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\.\d{3}Z$/),
      msg: 'runtime 42 ended: crashed (code 1)',
      extension: 'demo',
      mode: 'process',
      pid: 42,
      event: 'exit',
      source: 'host',
      reason: 'crashed',
    });
    expect(JSON.parse(out.lines[1] as string)).toMatchObject({
      level: 'info',
      msg: 'host line',
      pid: process.pid,
      source: 'host',
    });
    expect(
      out.lines.every((line) => line.endsWith('\n') && !line.slice(0, -1).includes('\n')),
    ).toBe(true);
  });

  it('drops lines below the level, which can change while it runs', () => {
    const out = capture();
    const log = createHostLogger({ destination: out.stream, level: 'warn' });
    log({ level: 'info', message: 'quiet', source: 'host' });
    log({ level: 'debug', message: 'quieter', source: 'host' });
    log({ level: 'error', message: 'loud', source: 'host' });
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(['loud']);
    log.level = 'debug';
    expect(log.level).toBe('debug');
    log({ level: 'debug', message: 'now shown', source: 'runtime' });
    log.level = 'silent';
    log({ level: 'error', message: 'never', source: 'host' });
    expect(out.lines.map((l) => JSON.parse(l).msg)).toEqual(['loud', 'now shown']);
  });

  it('pretty mode writes readable text with the extension tag and no JSON', () => {
    const out = capture();
    const log = createHostLogger({ destination: out.stream, format: 'pretty', colorize: false });
    log({ level: 'info', message: 'hibernated (idle)', extensionId: 'demo', source: 'host' });
    const text = out.lines.join('');
    expect(text).toMatch(/INFO.*\[demo\] hibernated \(idle\)/);
    expect(() => JSON.parse(text)).toThrow();
  });
});
