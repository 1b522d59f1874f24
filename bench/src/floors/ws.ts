/**
 * Raw loopback WebSocket floors: a `Bun.serve` server on 127.0.0.1 with an ephemeral port and
 * a Bun `WebSocket` client in the same process. No framing, validation or routing of ours.
 * Server and client are closed in `close()`, and on any error while opening.
 */

import { SpindleError } from '@spindle/types';
import type { ServerWebSocket } from 'bun';
import { withDeadline } from '../harness/deadline.ts';
import type { Sampler } from '../harness/types.ts';
import { checkEcho, pingMessage, ROUND_TRIP_DEADLINE_MS, startEchoChild } from './ipc.ts';

/** Bound on the client's connection. */
export const CONNECT_DEADLINE_MS = 5_000;
/** Bound on one throughput burst being counted by the server. */
export const BURST_DEADLINE_MS = 30_000;

/** What the sink server answers to `END_OF_BURST`: the count of messages since the last end. */
const END_OF_BURST = 'end';

/** Per-connection state of the loopback server. */
type Conn = ServerWebSocket<{ count: number }>;

/** A connected loopback pair. */
export interface Loopback {
  /** The client end. */
  client: WebSocket;
  /** Resolves with the next message the client receives; rejects after `ms` or on close. */
  next(what: string, ms: number): Promise<string>;
  /** Closes the client and stops the server. */
  close(): Promise<void>;
}

/**
 * Starts a `Bun.serve` WebSocket server on 127.0.0.1:0 whose messages go to `onServerMessage`,
 * and connects one client to it.
 */
export async function openLoopback(
  onServerMessage: (ws: Conn, message: string | Buffer) => void,
): Promise<Loopback> {
  const server = Bun.serve<{ count: number }>({
    hostname: '127.0.0.1',
    port: 0,
    fetch(req, srv) {
      if (srv.upgrade(req, { data: { count: 0 } })) return undefined;
      return new Response('websocket only', { status: 426 });
    },
    websocket: { message: onServerMessage },
  });
  let client: WebSocket | undefined;
  const close = async () => {
    client?.close();
    await server.stop(true);
  };
  try {
    let waiter: ((data: string) => void) | undefined;
    let failed: ((error: Error) => void) | undefined;
    const ws = new WebSocket(`ws://127.0.0.1:${server.port}/`);
    client = ws;
    ws.onmessage = (event) => waiter?.(String(event.data));
    ws.onclose = () => failed?.(new SpindleError('NOT_CONNECTED', 'loopback WebSocket closed'));
    await withDeadline(
      new Promise<void>((resolve, reject) => {
        ws.onopen = () => resolve();
        ws.onerror = () => reject(new SpindleError('NOT_CONNECTED', 'loopback WebSocket failed'));
      }),
      CONNECT_DEADLINE_MS,
      'loopback WebSocket connection',
    );
    const next = (what: string, ms: number) =>
      withDeadline(
        new Promise<string>((resolve, reject) => {
          waiter = resolve;
          failed = reject;
        }),
        ms,
        what,
      );
    return { client: ws, next, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/** Times `batch` sequential JSON round trips from the client of `lo`, one observation each. */
async function roundTrips(lo: Loopback, batch: number, seq: { n: number }, what: string) {
  const out: number[] = [];
  for (let i = 0; i < batch; i++) {
    const message = pingMessage(seq.n++);
    const t0 = performance.now();
    const reply = lo.next(what, ROUND_TRIP_DEADLINE_MS);
    lo.client.send(JSON.stringify(message));
    const got: unknown = JSON.parse(await reply);
    out.push(performance.now() - t0);
    checkEcho(got, message.seq, what);
  }
  return out;
}

/**
 * Opens an echo server and client; each sample times `batch` sequential round trips of a small
 * JSON message (serialize, send, echo, receive, parse), one observation each.
 */
export async function openWsEcho(batch: number): Promise<Sampler> {
  const lo = await openLoopback((ws, message) => ws.send(message));
  const seq = { n: 0 };
  return { sample: () => roundTrips(lo, batch, seq, 'WebSocket echo'), close: lo.close };
}

/**
 * Opens a relay: client → WebSocket → server → IPC → Bun echo child → IPC → server →
 * WebSocket → client, the path of a frontend ↔ backend-runtime round trip with none of our
 * code. The server parses the frame to hand an object to IPC, as any relay must. Each sample
 * times `batch` sequential round trips.
 */
export async function openWsIpcRelay(bunPath: string, batch: number): Promise<Sampler> {
  let conn: Conn | undefined;
  const child = await startEchoChild(bunPath, (message) => conn?.send(JSON.stringify(message)));
  let lo: Loopback;
  try {
    lo = await openLoopback((ws, message) => {
      conn = ws;
      child.send(JSON.parse(String(message)));
    });
  } catch (error) {
    await child.close();
    throw error;
  }
  const seq = { n: 0 };
  return {
    sample: () => roundTrips(lo, batch, seq, 'WebSocket ↔ IPC relay'),
    async close() {
      try {
        await lo.close();
      } finally {
        await child.close();
      }
    },
  };
}

/**
 * Opens a counting server and client; each sample sends `burst` small JSON messages one way,
 * then an end marker, and yields messages/s from the first send to the server's count reply.
 * A count other than `burst` fails the sample (a lost message is not a fast one).
 */
export async function openWsThroughput(burst: number): Promise<Sampler> {
  const lo = await openLoopback((ws, message) => {
    if (message === END_OF_BURST) {
      ws.send(String(ws.data.count));
      ws.data.count = 0;
    } else {
      ws.data.count++;
    }
  });
  let seq = 0;
  return {
    async sample() {
      const t0 = performance.now();
      const counted = lo.next('WebSocket burst count', BURST_DEADLINE_MS);
      for (let i = 0; i < burst; i++) lo.client.send(JSON.stringify(pingMessage(seq++)));
      lo.client.send(END_OF_BURST);
      const count = Number(await counted);
      const seconds = (performance.now() - t0) / 1000;
      if (count !== burst) {
        throw new SpindleError('INTERNAL', `server counted ${count} of ${burst} messages`);
      }
      return burst / seconds;
    },
    close: lo.close,
  };
}
