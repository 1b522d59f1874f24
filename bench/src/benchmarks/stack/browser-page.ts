/**
 * Entry of the Chromium page, bundled by `Bun.build` (target browser). It exposes
 * `window.spindleBench`, which the benchmark drives through playwright: a whole-stack tab (the
 * same `client.ts` the Bun clients use: host bridge + frontend SDK) and, for the browser-client
 * floor, a bare WebSocket to a raw relay. Round trips are timed in the page with
 * `performance.now()`, so playwright's own round trips never enter a figure.
 */
import { openStackClient, type StackClient } from './client.ts';
import { RAW_END_OF_BURST } from './messages.ts';

/** What the page offers the benchmark. */
export interface BenchPageApi {
  /** Connects a whole-stack tab; resolves with its `frontendSessionId`. */
  openStack(url: string, token: string): Promise<string>;
  /** `count` sequential round trips of the tab, in ms. */
  stackRoundTrips(count: number): Promise<number[]>;
  /** Connects a bare WebSocket to a raw relay. */
  openRaw(url: string): Promise<void>;
  /** `count` sequential JSON round trips over the bare WebSocket, in ms. */
  rawRoundTrips(count: number): Promise<number[]>;
  /** The tab's one-way burst of `count` messages, counted by the backend; messages/s. */
  stackBurst(count: number): Promise<number>;
  /**
   * `count` JSON messages one way over the bare WebSocket, then `end`, to a server that answers
   * its count; messages/s from the first send to the answer. Throws unless it counted `count`.
   */
  rawBurst(count: number): Promise<number>;
  /** Closes the tab and the bare WebSocket. */
  close(): void;
}

const RAW_DEADLINE_MS = 5_000;

let stack: StackClient | undefined;
let raw: WebSocket | undefined;
let rawWaiter: ((text: string) => void) | undefined;
let rawSeq = 0;

function rawReply(): Promise<string> {
  return new Promise<string>((resolve, reject) => {
    const timer = setTimeout(() => reject(new Error('raw relay reply timed out')), RAW_DEADLINE_MS);
    rawWaiter = (text) => {
      clearTimeout(timer);
      resolve(text);
    };
  });
}

const api: BenchPageApi = {
  async openStack(url, token) {
    stack = await openStackClient({ url, token });
    return stack.sessionId;
  },
  async stackRoundTrips(count) {
    if (!stack) throw new Error('openStack first');
    const out: number[] = [];
    for (let i = 0; i < count; i++) out.push(await stack.roundTrip());
    return out;
  },
  openRaw(url) {
    return new Promise<void>((resolve, reject) => {
      const ws = new WebSocket(url);
      raw = ws;
      ws.onmessage = (event) => rawWaiter?.(String(event.data));
      ws.onopen = () => resolve();
      ws.onerror = () => reject(new Error('raw relay WebSocket failed'));
    });
  },
  async rawRoundTrips(count) {
    const ws = raw;
    if (!ws) throw new Error('openRaw first');
    const out: number[] = [];
    for (let i = 0; i < count; i++) {
      const seq = rawSeq++;
      // The shape of the Bun floors' `pingMessage`.
      const message = { type: 'message', seq, payload: { text: 'ping' } };
      const t0 = performance.now();
      const reply = rawReply();
      ws.send(JSON.stringify(message));
      const got = JSON.parse(await reply) as { seq?: unknown };
      out.push(performance.now() - t0);
      if (got.seq !== seq)
        throw new Error(`raw relay returned seq ${String(got.seq)}, sent ${seq}`);
    }
    return out;
  },
  async stackBurst(count) {
    if (!stack) throw new Error('openStack first');
    return stack.burst(count);
  },
  async rawBurst(count) {
    const ws = raw;
    if (!ws) throw new Error('openRaw first');
    const t0 = performance.now();
    const reply = rawReply();
    for (let i = 0; i < count; i++) {
      // The shape of the Bun floors' `pingMessage`.
      ws.send(JSON.stringify({ type: 'message', seq: rawSeq++, payload: { text: 'ping' } }));
    }
    ws.send(RAW_END_OF_BURST);
    const counted = Number(await reply);
    const seconds = (performance.now() - t0) / 1000;
    if (counted !== count) throw new Error(`the sink counted ${counted} of ${count} messages`);
    return count / seconds;
  },
  close() {
    stack?.close();
    raw?.close();
  },
};

(globalThis as unknown as { spindleBench: BenchPageApi }).spindleBench = api;
document.body.dataset.ready = 'true';
