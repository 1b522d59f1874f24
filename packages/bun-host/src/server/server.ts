/**
 * `createHostServer`: the Bun.serve edge of the frontend side. HTTP routes come from `http.ts`,
 * each WebSocket becomes a `WireConnection`, and sessions live in the injected `FrontendHub`.
 */
import {
  type ExtensionInfoDTO,
  SpindleError,
  WIRE_CLOSE_CODES,
  type WireLimits,
} from '@spindle/types';
import type { Server, ServerWebSocket } from 'bun';
import { type HubClock, systemClock } from '../frontend/clock.ts';
import type { FrontendHub } from '../frontend/hub.ts';
import {
  type AdmissionLimits,
  type AdmissionRefusal,
  type AdmissionTicket,
  ConnectionAdmission,
} from './admission.ts';
import type { Authenticate } from './auth.ts';
import type { BundleFile } from './bundle.ts';
import { WireConnection } from './connection.ts';
import { type OriginPolicy, originAllowed } from './cors.ts';
import { createWireCounters, type WireCounters } from './counters.ts';
import { type HttpContext, handleHttp, listExtensions, withFrontendUrl } from './http.ts';

/** Options of `createHostServer`. */
export interface HostServerOptions {
  /** Sessions, delivery and authority. */
  hub: FrontendHub;
  /** Interface to listen on; keep loopback unless a proxy in front terminates TLS. @default "127.0.0.1" */
  hostname?: string;
  /** Port; 0 picks a free one (read it back from `port`). @default 0 */
  port?: number;
  /** Resolves `hello.token` and `Authorization: Bearer` tokens. */
  authenticate: Authenticate;
  /** Current extension list; `frontendUrl` is filled in by the server. */
  getExtensions(): ExtensionInfoDTO[];
  /** The built frontend bundle of an extension, or null when it has none. */
  resolveBundle(extensionId: string): BundleFile | null;
  /** Every supervised process (operator view, `GET /api/processes` for admin tokens). */
  listProcesses?: () => unknown[];
  /** Transport limits. @default the hub's limits */
  limits?: Partial<Pick<WireLimits, 'maxFrameBytes' | 'maxFramesPerSecond'>>;
  /** Time a connection has to send a valid `hello` (and be authenticated). @default 3000 */
  handshakeTimeoutMs?: number;
  /**
   * Unauthenticated connections per address and in total, and the backoff of addresses whose
   * tokens are refused (`docs/limits.md`). @default DEFAULT_ADMISSION_LIMITS
   */
  admission?: Partial<AdmissionLimits>;
  /**
   * Bytes queued in one socket before its client is dropped with `BACKPRESSURE`; above half of
   * it, downlinks wait in the hub's bounded buffer until the socket drains. @default 8388608
   */
  maxBufferedBytes?: number;
  /** A socket that stays congested this long without draining is dropped with `BACKPRESSURE`. @default 10000 */
  stallTimeoutMs?: number;
  /**
   * Messages above this close the socket (Bun's `maxPayloadLength`); between `maxFrameBytes` and
   * this they get a `FRAME_TOO_LARGE` error frame. @default 16 × maxFrameBytes
   */
  hardMaxFrameBytes?: number;
  /** A flood this long after rate limiting started closes the connection. @default 3000 */
  rateLimitCloseAfterMs?: number;
  /** Open WebSocket connections accepted at once; further upgrades get 503. @default 4096 */
  maxConnections?: number;
  /** Browser origins allowed for CORS and WebSocket upgrades. @default loopback origins */
  allowedOrigins?: OriginPolicy;
  /** @default systemClock */
  clock?: HubClock;
  /** @default console.error */
  reportError?: (error: unknown) => void;
}

/** A running host server. */
export interface RunningHostServer {
  /** The port actually bound. */
  readonly port: number;
  /** `http://host:port`. */
  readonly url: string;
  /** `ws://host:port/ws`. */
  readonly wsUrl: string;
  /** Open WebSocket connections (handshaking ones included). */
  readonly connectionCount: number;
  /** Traffic and admission counters since start (a snapshot). */
  counters(): WireCounters;
  /**
   * `info` with the server's versioned `frontendUrl` (or none). The server installs it on the
   * hub, so `extension_state` downlinks get it without the host core doing anything.
   */
  describeExtension(info: ExtensionInfoDTO): ExtensionInfoDTO;
  /**
   * Closes every connection (`HOST_SHUTDOWN`), ends every hub session and stops listening.
   * Idempotent.
   */
  stop(): Promise<void>;
}

interface SocketData {
  connection?: WireConnection;
  ticket?: AdmissionTicket;
}

/** Starts the HTTP + WebSocket server of the host. */
export function createHostServer(options: HostServerOptions): RunningHostServer {
  const { hub } = options;
  const limits = {
    maxFrameBytes: options.limits?.maxFrameBytes ?? hub.limits.maxFrameBytes,
    maxFramesPerSecond: options.limits?.maxFramesPerSecond ?? hub.limits.maxFramesPerSecond,
  };
  const maxBufferedBytes = options.maxBufferedBytes ?? 8 * 1024 * 1024;
  const hardMaxFrameBytes = options.hardMaxFrameBytes ?? 16 * limits.maxFrameBytes;
  if (hardMaxFrameBytes <= limits.maxFrameBytes) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      'hardMaxFrameBytes must be above limits.maxFrameBytes',
      {
        details: { hardMaxFrameBytes, maxFrameBytes: limits.maxFrameBytes },
      },
    );
  }
  const maxConnections = options.maxConnections ?? 4096;
  const clock = options.clock ?? systemClock;
  const admission = new ConnectionAdmission(options.admission, () => clock.now());
  const reportError = options.reportError ?? ((error: unknown) => console.error(error));
  const http: HttpContext = {
    authenticate: options.authenticate,
    getExtensions: () => options.getExtensions(),
    resolveBundle: (id) => options.resolveBundle(id),
    allowedOrigins: options.allowedOrigins,
    ...(options.listProcesses ? { listProcesses: options.listProcesses } : {}),
  };
  const settings = {
    hub,
    authenticate: options.authenticate,
    listExtensions: () => listExtensions(http),
    limits,
    handshakeTimeoutMs: options.handshakeTimeoutMs ?? 3000,
    maxBufferedBytes,
    stallTimeoutMs: options.stallTimeoutMs ?? 10_000,
    rateLimitCloseAfterMs: options.rateLimitCloseAfterMs ?? 3000,
    clock,
    counters: createWireCounters(),
    reportError,
  };
  hub.setExtensionDescriber((info) => withFrontendUrl(info, http.resolveBundle));
  const connections = new Set<WireConnection>();
  let stopping: Promise<void> | undefined;

  const server: Server<SocketData> = Bun.serve<SocketData>({
    hostname: options.hostname ?? '127.0.0.1',
    port: options.port ?? 0,
    // Never Bun's development error pages: they would show host source to any client.
    development: false,
    async fetch(request, srv) {
      const url = new URL(request.url);
      const address = srv.requestIP(request)?.address ?? 'unknown';
      if (url.pathname === '/ws' && request.headers.get('upgrade')?.toLowerCase() === 'websocket') {
        const origin = request.headers.get('Origin');
        if (origin !== null && !originAllowed(options.allowedOrigins, origin)) {
          return new Response('[spindle] origin not allowed', { status: 403 });
        }
        if (stopping) return new Response('[spindle] the host is shutting down', { status: 503 });
        if (connections.size >= maxConnections) {
          return new Response('[spindle] too many connections: try again later', { status: 503 });
        }
        const admitted = admission.admit(address);
        if (!admitted.ok) return refused(admitted.refusal);
        if (srv.upgrade(request, { data: { ticket: admitted.ticket } })) return undefined;
        admitted.ticket.release();
        return new Response('[spindle] WebSocket upgrade failed', { status: 400 });
      }
      const api = url.pathname.startsWith('/api/');
      const backoff = api ? admission.backoff(address) : undefined;
      if (backoff !== undefined) return refused(backoff);
      try {
        const response = await handleHttp(request, http);
        if (api && response.status === 401) admission.authFailed(address);
        return response;
      } catch (error) {
        reportError(error);
        return new Response('[spindle] internal error', { status: 500 });
      }
    },
    websocket: {
      maxPayloadLength: hardMaxFrameBytes,
      // Bun's own limit sits above ours so our check, not a silent drop, decides.
      backpressureLimit: maxBufferedBytes + hardMaxFrameBytes,
      closeOnBackpressureLimit: false,
      perMessageDeflate: false,
      open(ws) {
        const connection = new WireConnection(adapt(ws), settings, ws.data.ticket);
        ws.data.connection = connection;
        connections.add(connection);
      },
      message(ws, message) {
        ws.data.connection?.onMessage(message);
      },
      drain(ws) {
        ws.data.connection?.onDrain();
      },
      pong(ws) {
        ws.data.connection?.onPong();
      },
      close(ws) {
        ws.data.ticket?.release();
        const connection = ws.data.connection;
        if (!connection) return;
        connections.delete(connection);
        connection.onClose();
      },
      error(error) {
        reportError(error);
      },
    },
  });

  const hostname = server.hostname ?? options.hostname ?? '127.0.0.1';
  const host = hostname.includes(':') ? `[${hostname}]` : hostname;
  const port = server.port ?? 0;

  return {
    port,
    url: `http://${host}:${port}`,
    wsUrl: `ws://${host}:${port}/ws`,
    get connectionCount() {
      return connections.size;
    },
    counters: () => ({ ...settings.counters, ...admission.counters }),
    describeExtension: (info) => withFrontendUrl(info, http.resolveBundle),
    stop() {
      stopping ??= (async () => {
        hub.closeAll(
          WIRE_CLOSE_CODES.HOST_SHUTDOWN,
          'the host is shutting down: reconnect when it is back',
        );
        for (const connection of [...connections]) {
          connection.close(WIRE_CLOSE_CODES.HOST_SHUTDOWN, 'the host is shutting down');
        }
        await server.stop(true);
        hub.setExtensionDescriber(undefined);
      })();
      return stopping;
    },
  };
}

function refused(refusal: AdmissionRefusal): Response {
  return new Response(refusal.reason, {
    status: refusal.status,
    headers: { 'Retry-After': String(refusal.retryAfterS), 'Cache-Control': 'no-store' },
  });
}

function adapt(ws: ServerWebSocket<SocketData>) {
  return {
    send: (text: string) => ws.send(text),
    close: (code: number, reason: string) => ws.close(code, reason),
    terminate: () => ws.terminate(),
    ping: () => {
      ws.ping();
    },
    bufferedAmount: () => ws.getBufferedAmount(),
  };
}
