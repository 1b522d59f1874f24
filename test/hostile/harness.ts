/**
 * The hostile suites' view of a host under attack: it starts `host-process.ts` in its own Bun
 * process, reads its events, measures its resident set from /proc and times the admin API while
 * an attack runs (`watch`). Everything started here ends in `close()`, also when a test fails.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { Subprocess } from 'bun';
import type { HostileConfig } from './host-process.ts';
import { TOKENS } from './tokens.ts';

/** One line the host process reported. */
export type HostEvent = { event: string } & Record<string, unknown>;

/** What an attack did to the host, measured while it ran. */
export interface Watched<T> {
  result: T;
  /** Resident set before the attack, in MiB. */
  baseRssMb: number;
  /** Highest resident set seen during the attack and right after it, in MiB. */
  peakRssMb: number;
  /** Slowest answer of the admin API during the attack, in ms. */
  apiMaxMs: number;
  /** Admin API calls made during the attack (all answered 200). */
  apiCalls: number;
}

/** A host under attack. */
export interface HostileHost {
  readonly port: number;
  readonly pid: number;
  /** The host's data folder (extension storage is in its `storage/<identifier>`). */
  readonly dataDir: string;
  readonly wsUrl: string;
  readonly events: HostEvent[];
  /** Events of one kind, optionally of one extension. */
  of(event: string, extensionId?: string): HostEvent[];
  /** Waits until `predicate` holds over the events (bounded). */
  until(predicate: () => boolean, what: string, timeoutMs?: number): Promise<void>;
  /** The host process's resident set now, in MiB. */
  rssMb(): number;
  /** The server's counters. */
  counters(): Promise<Record<string, number>>;
  /** The resident set after a full collection in the host, in MiB: what it holds on to. */
  retainedRssMb(): Promise<number>;
  /**
   * Runs `attack` while sampling the resident set and timing the admin API; prints one line of
   * figures under `label` (for the record: the tests assert bounds, not these numbers).
   */
  watch<T>(label: string, attack: () => Promise<T>): Promise<Watched<T>>;
  close(): Promise<void>;
}

const BUN = process.execPath;
const SCRIPT = join(import.meta.dir, 'host-process.ts');

/** Starts a host over the hostile fixtures. */
export async function startHostileHost(config: HostileConfig): Promise<HostileHost> {
  const child: Subprocess<'pipe', 'pipe', 'inherit'> = Bun.spawn([BUN, SCRIPT], {
    stdin: 'pipe',
    stdout: 'pipe',
    stderr: 'inherit',
    env: {
      ...process.env,
      HOSTILE_CONFIG: JSON.stringify(config),
      LUMIVERSE_SPINDLE_RUNTIME_STATS: '1',
      LUMIVERSE_SPINDLE_RUNTIME_SAMPLE_INTERVAL_MS: '0',
    },
  });
  const events: HostEvent[] = [];
  const waiters = new Set<() => void>();
  const wake = () => {
    for (const waiter of [...waiters]) waiter();
  };
  void (async () => {
    const decoder = new TextDecoder();
    let buffer = '';
    const reader = child.stdout.getReader();
    for (;;) {
      const { done, value: chunk } = await reader.read();
      if (done) break;
      buffer += decoder.decode(chunk, { stream: true });
      let newline = buffer.indexOf('\n');
      while (newline >= 0) {
        const line = buffer.slice(0, newline);
        buffer = buffer.slice(newline + 1);
        newline = buffer.indexOf('\n');
        try {
          events.push(JSON.parse(line) as HostEvent);
        } catch {
          // A line the host did not write as an event (a worker writing to the shared stdout).
        }
      }
      wake();
    }
    wake();
  })();

  const until = async (predicate: () => boolean, what: string, timeoutMs = 15_000) => {
    const deadline = Date.now() + timeoutMs;
    while (!predicate()) {
      if (child.exitCode !== null) throw new Error(`host process exited while waiting for ${what}`);
      if (Date.now() > deadline)
        throw new Error(`timed out after ${timeoutMs} ms waiting for ${what}`);
      await new Promise<void>((resolve) => {
        const timer = setTimeout(done, 25);
        function done() {
          clearTimeout(timer);
          waiters.delete(done);
          resolve();
        }
        waiters.add(done);
      });
    }
  };

  const close = async () => {
    if (child.exitCode === null) {
      child.kill('SIGTERM');
      const exited = await Promise.race([
        child.exited.then(() => true),
        Bun.sleep(10_000).then(() => false),
      ]);
      if (!exited) child.kill('SIGKILL');
    }
    await child.exited;
  };

  try {
    await until(() => events.some((e) => e.event === 'ready'), 'the host to start', 30_000);
  } catch (error) {
    await close();
    throw error;
  }
  const ready = events.find((e) => e.event === 'ready') as {
    port: number;
    pid: number;
    dataDir: string;
  } & HostEvent;
  const { port } = ready;
  const rssMb = () => {
    const status = readFileSync(`/proc/${child.pid}/status`, 'utf8');
    return Number(/^VmRSS:\s+(\d+)/m.exec(status)?.[1] ?? 0) / 1024;
  };

  return {
    port,
    pid: child.pid,
    dataDir: ready.dataDir,
    wsUrl: `ws://127.0.0.1:${port}/ws`,
    events,
    of: (event, extensionId) =>
      events.filter(
        (e) => e.event === event && (extensionId === undefined || e.extensionId === extensionId),
      ),
    until,
    rssMb,
    async counters() {
      const before = events.length;
      child.stdin.write('counters\n');
      child.stdin.flush();
      await until(() => events.slice(before).some((e) => e.event === 'counters'), 'counters');
      return events.slice(before).find((e) => e.event === 'counters') as unknown as Record<
        string,
        number
      >;
    },
    async retainedRssMb() {
      const before = events.length;
      child.stdin.write('gc\n');
      child.stdin.flush();
      await until(() => events.slice(before).some((e) => e.event === 'gc'), 'gc');
      return (events.slice(before).find((e) => e.event === 'gc') as { rssMb: number } & HostEvent)
        .rssMb;
    },
    async watch(label, attack) {
      const baseRssMb = rssMb();
      let peakRssMb = baseRssMb;
      let apiMaxMs = 0;
      let apiCalls = 0;
      let running = true;
      const sampler = setInterval(() => {
        peakRssMb = Math.max(peakRssMb, rssMb());
      }, 25);
      const prober = (async () => {
        while (running) {
          const t0 = performance.now();
          const response = await fetch(`http://127.0.0.1:${port}/api/processes`, {
            headers: { Authorization: `Bearer ${TOKENS.admin.token}` },
          });
          await response.arrayBuffer();
          if (response.status !== 200) throw new Error(`admin API answered ${response.status}`);
          apiMaxMs = Math.max(apiMaxMs, performance.now() - t0);
          apiCalls += 1;
          await Bun.sleep(50);
        }
      })();
      try {
        const result = await attack();
        // What the attack left behind is measured too.
        await Bun.sleep(100);
        peakRssMb = Math.max(peakRssMb, rssMb());
        console.log(
          `[hostile] ${label}: host RSS ${baseRssMb.toFixed(0)} → peak ${peakRssMb.toFixed(0)} MiB, admin API slowest ${apiMaxMs.toFixed(0)} ms of ${apiCalls} calls`,
        );
        return { result, baseRssMb, peakRssMb, apiMaxMs, apiCalls };
      } finally {
        running = false;
        clearInterval(sampler);
        await prober;
      }
    },
    close,
  };
}
