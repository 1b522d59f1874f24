/**
 * The hostile-client suite (issue 20's table, scaled down, same mechanism): a poisoned batch
 * (in every runtime mode), sessions that never acknowledge, upgrades hoarded by one address, a
 * client that never reads, guessed tokens, and refused uplinks by the ten thousand. For each:
 * the attacker gets the documented close code, status or error, the host's resident set stays
 * under a stated bound, the admin API keeps answering within a stated bound, and other users'
 * messages (and the `echo` extension's storage) keep working.
 *
 * Attackers that must come from another address than the legitimate users bind their TCP socket
 * to 127.0.0.66–69 (any 127.0.0.0/8 address is this machine on Linux).
 */
import { afterAll, beforeAll, describe, expect, test } from 'bun:test';
import { readFileSync } from 'node:fs';
import net from 'node:net';
import {
  MAX_JSON_DEPTH,
  RUNTIME_MODES,
  type SpindleRuntimeMode,
  WIRE_CLOSE_CODES,
} from '@spindle/types';
import { RawClient, WireClient } from './client.ts';
import { type HostileHost, startHostileHost } from './harness.ts';
import { TOKENS } from './tokens.ts';

const MIB = 1024 * 1024;
/** Slowest admin API answer allowed while an attack runs. */
const API_BOUND_MS = 2000;

function config(mode: SpindleRuntimeMode) {
  return {
    mode,
    timing: { shutdownTimeoutMs: 1000, killGraceMs: 500 },
    runtimeLimits: { logBurst: 200, logIntervalMs: 500 },
    extensionLimits: { sink: { inboundQueueBytes: 64 * MIB } },
    serverOptions: {
      limits: { maxFramesPerSecond: 1_000_000 },
      handshakeTimeoutMs: 1000,
      stallTimeoutMs: 1000,
      maxBufferedBytes: MIB,
      admission: { maxPendingPerAddress: 16, authFailuresFree: 3, authBackoffBaseMs: 2000 },
      hub: { maxUnackedBytes: 4 * MIB },
    },
    enable: ['echo', 'sink', 'chatty', 'broken'],
  };
}

let nextId = 0;

async function echoWorks(client: WireClient): Promise<void> {
  const id = ++nextId;
  client.send('echo', { op: 'storage', id });
  await client.until(
    () => client.replies('echo', (p) => p.id === id && p.ok === true).length > 0,
    'echo to use its storage',
  );
}

/** Asks `sink` what it received from this client's user, again while it answers RUNTIME_BUSY. */
async function sinkCount(client: WireClient): Promise<Record<string, unknown>> {
  for (;;) {
    const id = ++nextId;
    const seq = client.send('sink', { op: 'count', id });
    await client.until(
      () =>
        client.replies('sink', (p) => p.id === id).length > 0 ||
        client.where((f) => f.type === 'error' && f.seq === seq).length > 0,
      'sink to count',
    );
    const reply = client.replies('sink', (p) => p.id === id)[0];
    if (reply) return reply;
    await Bun.sleep(100);
  }
}

/** A value nested `levels` deep, as JSON text. */
function nested(levels: number): string {
  return `${'['.repeat(levels)}0${']'.repeat(levels)}`;
}

for (const mode of RUNTIME_MODES) {
  describe(`a poisoned batch (${mode})`, () => {
    let host: HostileHost;
    const clients: WireClient[] = [];
    beforeAll(async () => {
      host = await startHostileHost(config(mode));
    });
    afterAll(async () => {
      for (const client of clients) client.close();
      await host?.close();
    });

    test("one message nested 100,000 deep is refused alone; every other user's message arrives exactly once", async () => {
      const [alice, bob, mallory] = await Promise.all(
        (['alice', 'bob', 'mallory'] as const).map((who) => WireClient.open(host.wsUrl, who)),
      );
      clients.push(alice!, bob!, mallory!);
      const watched = await host.watch(`${mode}: poisoned batch`, async () => {
        const frame = (seq: number, id: string, extra = '') =>
          `{"type":"backend_message","extensionId":"sink","seq":${seq},"payload":{"op":"fill","id":"${id}"${extra}}}`;
        const seqs = [mallory!.nextSeq(), mallory!.nextSeq(), mallory!.nextSeq()];
        const poisoned = `[${frame(seqs[0]!, 'm1')},${frame(seqs[1]!, 'deep', `,"x":${nested(100_000)}`)},${frame(seqs[2]!, 'm3')}]`;
        for (let i = 0; i < 40; i++) {
          alice!.send('sink', { op: 'fill', id: `a${i}` });
          bob!.send('sink', { op: 'fill', id: `b${i}` });
          if (i === 20) mallory!.sendText(poisoned);
        }
        const refusal = await mallory!.next(
          (f) => f.type === 'error' && f.seq === seqs[1],
          'the refusal of the deep frame',
        );
        expect(refusal).toMatchObject({
          code: 'INVALID_FRAME',
          frameType: 'backend_message',
          message: expect.stringContaining(`deeper than ${MAX_JSON_DEPTH} levels (MAX_JSON_DEPTH)`),
        });
        expect(await sinkCount(alice!)).toMatchObject({ received: 40, twice: 0 });
        expect(await sinkCount(bob!)).toMatchObject({ received: 40, twice: 0 });
        expect(await sinkCount(mallory!)).toMatchObject({ received: 2, twice: 0 });
        await echoWorks(bob!);
      });
      expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
    });
  });
}

describe('hostile clients', () => {
  let host: HostileHost;
  const clients: WireClient[] = [];
  const raws: RawClient[] = [];

  beforeAll(async () => {
    host = await startHostileHost(config('process'));
  });
  afterAll(async () => {
    for (const client of clients) client.close();
    for (const raw of raws) raw.close();
    await host?.close();
  });

  async function open(who: 'alice' | 'bob' | 'mallory', ack = true): Promise<WireClient> {
    const client = await WireClient.open(host.wsUrl, who, { ack });
    clients.push(client);
    return client;
  }

  test('sessions that read but never acknowledge are ended at the byte cap of their replay buffer (SESSION_OVERFLOW)', async () => {
    const alice = await open('alice');
    const before = await host.retainedRssMb();
    const watched = await host.watch('two sessions that never ack', async () => {
      const hoarders = [await open('mallory', false), await open('mallory', false)];
      for (const hoarder of hoarders) hoarder.send('chatty', { op: 'downlinks', n: 64, kb: 256 });
      for (const hoarder of hoarders) {
        await hoarder.until(() => hoarder.closed !== undefined, 'the hoarder to be closed');
        expect(hoarder.closed?.code).toBe(WIRE_CLOSE_CODES.SESSION_OVERFLOW);
        expect(hoarder.where((f) => f.type === 'error' && f.code === 'QUEUE_FULL')).toHaveLength(1);
      }
      // A tab that acknowledges takes the same traffic without being closed.
      alice.send('chatty', { op: 'downlinks', n: 64, kb: 256 });
      await alice.until(() => alice.replies('chatty').length === 64, 'alice to get every downlink');
      expect(alice.closed).toBeUndefined();
      await echoWorks(alice);
    });
    // 32 MB were addressed to the two hoarders; the host kept at most 4 MiB for each.
    expect((await host.retainedRssMb()) - before).toBeLessThan(16);
    expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
  });

  test('one address hoarding upgrades gets 503 past its cap; other users still connect; the hoard expires at the hello deadline', async () => {
    const hoard: RawClient[] = [];
    const watched = await host.watch('hoarded upgrades', async () => {
      for (let i = 0; i < 40; i++) {
        const raw = await RawClient.connect(host.port, '127.0.0.66');
        raws.push(raw);
        hoard.push(raw);
      }
      const statuses = hoard.map((raw) => raw.status);
      expect(statuses.filter((s) => s === 101)).toHaveLength(16);
      expect(statuses.filter((s) => s === 503)).toHaveLength(24);
      expect(hoard.find((raw) => raw.status === 503)?.received).toMatch(/Retry-After: 1/i);
      // Legitimate users, meanwhile.
      const tabs = await Promise.all(
        Array.from({ length: 12 }, (_, i) => open(i % 2 ? 'alice' : 'bob')),
      );
      await echoWorks(tabs[0]!);
      // The hoard is closed at the hello deadline (4003), and the address may connect again.
      const open101 = hoard.filter((raw) => raw.status === 101);
      await open101[0]!.until(() => open101.every((raw) => raw.ended), 'the hoard to be closed');
      expect(open101[0]!.received).toContain('no valid hello within 1000 ms');
      const again = await RawClient.connect(host.port, '127.0.0.66');
      raws.push(again);
      expect(again.status).toBe(101);
    });
    expect((await host.counters()).pendingRefusals).toBeGreaterThanOrEqual(24);
    expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
  });

  test('a client that never reads its socket: the host lets go of the socket itself, not just the session', async () => {
    const raw = await RawClient.connect(host.port, '127.0.0.67');
    raws.push(raw);
    raw.hello(TOKENS.mallory.token);
    await raw.until(() => raw.received.includes('frontendSessionId'), 'welcome');
    const sessionId = /"frontendSessionId":"([^"]+)"/.exec(raw.received)?.[1];
    const localPort = raw.socket.localPort as number;
    raw.stopReading();
    const mallory = await open('mallory');
    const before = await host.retainedRssMb();
    const watched = await host.watch('a client that never reads', async () => {
      mallory.send('chatty', { op: 'downlinks', n: 200, kb: 256, target: sessionId });
      // The host closes its file descriptor: the kernel may still hold the unsent bytes of an
      // orphaned socket (FIN-WAIT), but no socket of the host's is left to that client.
      await raw.until(() => !hostOwnsSocketTo(host.port, localPort), 'the host to let go', 10_000);
      await echoWorks(mallory);
    });
    expect((await host.retainedRssMb()) - before).toBeLessThan(16);
    expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
  });

  test('guessed tokens from one address are slowed down exponentially (429, Retry-After) and counted; others sign in', async () => {
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const raw = await RawClient.connect(host.port, '127.0.0.68');
      raws.push(raw);
      statuses.push(raw.status);
      if (raw.status !== 101) continue;
      raw.hello(`guessed-token-${i}-0000000000`);
      await raw.until(() => raw.ended || raw.received.includes('token refused'), 'the refusal');
    }
    // Three free failures; the fourth starts a backoff of 2 s, doubling.
    expect(statuses.slice(0, 4)).toEqual([101, 101, 101, 101]);
    expect(statuses.slice(4)).toEqual([429, 429]);
    const api = await rawHttp(
      host.port,
      '127.0.0.68',
      '/api/extensions',
      'another-guess-000000000',
    );
    expect(api.status).toBe(429);
    expect(Number(api.headers['retry-after'])).toBeGreaterThanOrEqual(1);
    const counters = await host.counters();
    expect(counters.authFailures).toBeGreaterThanOrEqual(4);
    expect(counters.backoffRefusals).toBeGreaterThanOrEqual(3);
    await echoWorks(await open('alice'));
  });

  test('uplinks refused by the ten thousand: each gets its error frame, the log one line per kind and a summary', async () => {
    const mallory = await open('mallory');
    const before = host.of('log', 'broken').length;
    const watched = await host.watch('10,000 refused uplinks', async () => {
      for (let batch = 1; batch <= 10; batch++) {
        const frames = Array.from({ length: 1000 }, () =>
          JSON.stringify({
            type: 'backend_message',
            extensionId: 'broken',
            payload: 1,
            seq: mallory.nextSeq(),
          }),
        );
        mallory.sendText(`[${frames.join(',')}]`);
        await mallory.until(
          () =>
            mallory.where(
              (f) =>
                f.type === 'error' &&
                f.code === 'EXTENSION_INACTIVE' &&
                f.frameType === 'backend_message',
            ).length ===
            batch * 1000,
          `the refusals of batch ${batch}`,
        );
      }
      await host.until(
        () =>
          host
            .of('log', 'broken')
            .slice(before)
            .some((e) => /similar lines suppressed/.test(String(e.message))),
        'the summary',
      );
    });
    const lines = host.of('log', 'broken').slice(before);
    expect(lines.length).toBeLessThan(1000);
    expect(watched.apiMaxMs).toBeLessThan(API_BOUND_MS);
  });
});

/** True while the host process holds a TCP socket between `hostPort` and `peerPort` (not an orphan). */
function hostOwnsSocketTo(hostPort: number, peerPort: number): boolean {
  const local = `:${hostPort.toString(16).toUpperCase().padStart(4, '0')}`;
  const remote = `:${peerPort.toString(16).toUpperCase().padStart(4, '0')}`;
  return readFileSync('/proc/net/tcp', 'utf8')
    .split('\n')
    .slice(1)
    .some((line) => {
      const fields = line.trim().split(/\s+/);
      // local address, remote address, …, inode (0 for a socket no process holds any more).
      return fields[1]?.endsWith(local) && fields[2]?.endsWith(remote) && fields[9] !== '0';
    });
}

/** A GET with a bearer token from `localAddress`, answered by status and headers. */
function rawHttp(
  port: number,
  localAddress: string,
  path: string,
  token: string,
): Promise<{ status: number; headers: Record<string, string> }> {
  return new Promise((resolve, reject) => {
    let text = '';
    const socket = net.connect({ host: '127.0.0.1', port, localAddress }, () => {
      socket.write(
        `GET ${path} HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${token}\r\nConnection: close\r\n\r\n`,
      );
    });
    socket.on('data', (data: Buffer) => {
      text += data.toString('latin1');
    });
    socket.on('error', reject);
    socket.on('close', () => {
      const [head = ''] = text.split('\r\n\r\n');
      const [statusLine = '', ...lines] = head.split('\r\n');
      const headers: Record<string, string> = {};
      for (const line of lines) {
        const colon = line.indexOf(':');
        headers[line.slice(0, colon).trim().toLowerCase()] = line.slice(colon + 1).trim();
      }
      resolve({ status: Number(statusLine.split(' ')[1]), headers });
    });
  });
}
