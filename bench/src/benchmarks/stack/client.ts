/**
 * One benchmark "tab": the host bridge (`connectHostBridge`, one WebSocket) as the transport of
 * the frontend SDK (`createExtensionHost`), with the echo extension's frontend half loaded as an
 * in-memory module whose `setup` keeps `ctx.sendToBackend` and `ctx.onBackendMessage`. So every
 * message takes the path a browser app's message takes: SDK realm → outbound queue → bridge
 * (numbering, pacing, acks) → host server → hub → runtime → extension backend, and back.
 * No Bun API here: the same module runs in the Bun child and in the Chromium page.
 */
import { SpindleError, type SpindleFrontendContext } from '@spindle/types';
import { withDeadline } from '../../harness/deadline.ts';
import {
  connectHostBridge,
  createExtensionHost,
  type ExtensionHost,
  type HostBridge,
  yieldMicrotask,
} from './client-packages.ts';
import { type DownPayload, ECHO_EXTENSION_ID, type UpPayload } from './messages.ts';

/** Bound on connecting, the welcome and mounting the echo extension. */
export const CLIENT_OPEN_DEADLINE_MS = 15_000;
/** Bound on one round trip. */
export const CLIENT_ROUND_TRIP_DEADLINE_MS = 5_000;
/** Bound on one burst being counted by the backend. */
export const CLIENT_BURST_DEADLINE_MS = 60_000;

/** Options of `openStackClient`. */
export interface StackClientOptions {
  /** `ws://127.0.0.1:<port>/ws`. */
  url: string;
  token: string;
  /** WebSocket constructor. @default globalThis.WebSocket */
  WebSocket?: typeof WebSocket;
}

/** A connected tab with the echo extension ready. */
export interface StackClient {
  /** The host's `frontendSessionId` of this tab. */
  readonly sessionId: string;
  /** One round trip of a small JSON payload; resolves with its milliseconds. */
  roundTrip(): Promise<number>;
  /**
   * Sends `count` messages one way, then an end marker, and resolves with messages/s from the
   * first send to the backend's count coming back. Keeps at most half of the bridge's unacked
   * window in flight, as an app that honours backpressure does. Throws unless the backend
   * counted exactly `count`.
   */
  burst(count: number): Promise<number>;
  /** Closes the SDK host and the bridge. */
  close(): void;
}

/**
 * Resolves once the host's acks bring `bridge.unacked` below `window` (the bridge's `acked`
 * event: no polling, so the burst resumes the moment there is room).
 */
function roomBelow(bridge: HostBridge, window: number, ms: number): Promise<void> {
  if (bridge.unacked < window) return Promise.resolve();
  let off = () => {};
  const room = new Promise<void>((resolve) => {
    const onAcked = (event: { unacked: number }) => {
      if (event.unacked < window) resolve();
    };
    bridge.events.on('acked', onAcked);
    off = () => bridge.events.off('acked', onAcked);
  });
  return withDeadline(room, ms, `room below ${window} unacked`).finally(off);
}

function waitOpen(bridge: HostBridge): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const check = () => {
      if (bridge.connectionState === 'open') resolve();
      if (bridge.connectionState === 'failed' || bridge.connectionState === 'closed') {
        reject(
          new SpindleError('NOT_CONNECTED', `bridge ${bridge.connectionState}`, {
            details: { failure: bridge.failure },
          }),
        );
      }
    };
    bridge.events.on('state', check);
    check();
  });
}

/** Connects a tab and loads the echo extension; closes what it opened when a step fails. */
export async function openStackClient(options: StackClientOptions): Promise<StackClient> {
  const failures: string[] = [];
  const waiters = new Map<number, (payload: DownPayload) => void>();
  let send: ((payload: UpPayload) => void) | undefined;
  let seq = 0;
  const bridge = connectHostBridge({
    url: options.url,
    token: options.token,
    ...(options.WebSocket ? { WebSocket: options.WebSocket } : {}),
  });
  bridge.events.on('dropped', (e) =>
    failures.push(`bridge dropped ${e.messages.length}: ${e.reason}`),
  );
  bridge.events.on('error', (e) => failures.push(`bridge error ${e.code}: ${e.message}`));
  bridge.events.on('session_lost', (e) => failures.push(`session lost: ${e.reason}`));
  let host: ExtensionHost | undefined;
  const close = () => {
    host?.close();
    bridge.close();
  };
  const check = () => {
    if (failures.length > 0) {
      throw new SpindleError('INTERNAL', `stack client: ${failures.slice(0, 3).join('; ')}`);
    }
  };
  try {
    await withDeadline(waitOpen(bridge), CLIENT_OPEN_DEADLINE_MS, 'bridge open');
    const info = bridge.extensions.find((e) => e.identifier === ECHO_EXTENSION_ID);
    if (info?.state !== 'running') {
      throw new SpindleError('INTERNAL', `echo extension is ${info?.state ?? 'not listed'}`);
    }
    host = createExtensionHost({
      transport: bridge,
      document: null,
      yieldToBrowser: yieldMicrotask,
      loader: async () => ({
        setup(ctx: SpindleFrontendContext) {
          send = (payload) => ctx.sendToBackend(payload);
          ctx.onBackendMessage((payload) => {
            const got = payload as DownPayload;
            const waiter = waiters.get(got.seq);
            waiters.delete(got.seq);
            waiter?.(got);
          });
        },
      }),
    });
    host.events.on('dropped', (e) => failures.push(`SDK dropped ${e.what}: ${e.reason}`));
    host.events.on('error', (e) => failures.push(`SDK error: ${e.message}`));
    const ticket = host.load({
      manifest: info.manifest,
      source: '// in-memory benchmark module',
      hash: 'bench-stack-echo',
    });
    const loaded = await withDeadline(ticket.settled, CLIENT_OPEN_DEADLINE_MS, 'echo mount');
    if (loaded.state !== 'ready' || send === undefined) {
      throw new SpindleError('INTERNAL', `echo frontend is ${loaded.state}: ${loaded.error ?? ''}`);
    }
  } catch (error) {
    close();
    throw error;
  }
  const post = send;
  const reply = (n: number, ms: number, what: string) =>
    withDeadline(new Promise<DownPayload>((resolve) => waiters.set(n, resolve)), ms, what).finally(
      () => waiters.delete(n),
    );
  const client: StackClient = {
    sessionId: bridge.sessionId as string,
    async roundTrip() {
      check();
      const n = ++seq;
      const t0 = performance.now();
      const back = reply(n, CLIENT_ROUND_TRIP_DEADLINE_MS, 'stack round trip');
      back.catch(() => {}); // awaited below; a throwing post must not leave it unhandled
      post({ kind: 'ping', seq: n, text: 'ping' });
      const got = await back;
      const ms = performance.now() - t0;
      if (got.kind !== 'ping' || got.text !== 'ping') {
        throw new SpindleError('INTERNAL', `echo answered ${JSON.stringify(got)}`);
      }
      return ms;
    },
    async burst(count) {
      check();
      const window = Math.max(1, Math.floor(bridge.limits.maxUnackedFrames / 2));
      const deadline = performance.now() + CLIENT_BURST_DEADLINE_MS;
      const t0 = performance.now();
      for (let i = 0; i < count; i++) {
        if (bridge.unacked >= window) {
          const left = deadline - performance.now();
          if (left <= 0) {
            throw new SpindleError('TIMEOUT', `burst stalled with ${bridge.unacked} unacked`);
          }
          await roomBelow(bridge, window, left);
        }
        post({ kind: 'count', seq: ++seq, text: 'ping' });
      }
      const end = ++seq;
      const back = reply(end, Math.max(1, deadline - performance.now()), 'burst count');
      back.catch(() => {}); // awaited below
      post({ kind: 'count_end', seq: end });
      const got = await back;
      const seconds = (performance.now() - t0) / 1000;
      check();
      if (got.kind !== 'counted' || got.count !== count) {
        throw new SpindleError('INTERNAL', `backend counted ${JSON.stringify(got)} of ${count}`);
      }
      return count / seconds;
    },
    close,
  };
  // One round trip before any timing: the mount has reached the host and the path is warm.
  await client.roundTrip().catch((error: unknown) => {
    close();
    throw error;
  });
  return client;
}
