/**
 * The host's HTTP and WebSocket handling as handlers an app mounts on its own `Bun.serve`
 * (docs/embedding.md, "Mounting on the app's server"): `owns(request)` tells whether a request is
 * the host's (its path is under `basePath`), `fetch(request, server)` answers it (a WebSocket
 * upgrade at `<basePath>/ws`, the API, the bundles), and `websocket` is the handler object for
 * Bun's `websocket` option. `createHostServer` is the same handlers behind a server of their own.
 */
import {
  type ExtensionInfoDTO,
  SpindleError,
  WIRE_CLOSE_CODES,
  type WireLimits,
} from '@spindle/types';
import type { Server, ServerWebSocket, WebSocketHandler } from 'bun';
import { type HubClock, systemClock } from '../frontend/clock.ts';
import type { FrontendHub } from '../frontend/hub.ts';
import type { OpsRoutes } from '../ops/routes.ts';
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

/** Options of the host's handlers (and of `createHostServer`). */
export interface HostHandlerOptions {
  /** Sessions, delivery and authority. */
  hub: FrontendHub;
  /**
   * Path the host's routes sit under: `<basePath>/ws`, `<basePath>/api/…`,
   * `<basePath>/extensions/<id>/frontend.js` (bundle URLs follow it). `''` is the root.
   * @default ''
   */
  basePath?: string;
  /**
   * Resolves `hello.token` and `Authorization: Bearer` tokens; gets the HTTP request as well
   * (the WebSocket upgrade, or the API request), so an app can read its own session cookie.
   */
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
   * tokens are refused (docs/limits.md). @default DEFAULT_ADMISSION_LIMITS
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
  /** Health, readiness, metrics and the admin API (see `ops/routes.ts`). @default none */
  ops?: OpsRoutes;
  /** @default systemClock */
  clock?: HubClock;
  /** @default console.error */
  reportError?: (error: unknown) => void;
}

/** What the host keeps on each of its sockets (`ws.data`). */
export interface HostSocketData {
  /** Marks a socket as the host's, for an app whose server has WebSockets of its own. */
  readonly spindle: true;
  connection?: WireConnection;
  /** The upgrade request (handed to `authenticate` with the token). */
  request?: Request;
  /** Its place among unauthenticated connections (released on close). */
  ticket?: AdmissionTicket;
}

/** The host's handlers, ready to mount. */
export interface HostHandlers {
  /** The normalised base path (`''` or `/something`, no trailing slash). */
  readonly basePath: string;
  /** True when `request`'s path is the host's (under `basePath`). */
  owns(request: Request): boolean;
  /**
   * Answers a request the host owns; `undefined` after a successful WebSocket upgrade (return it
   * from the app's `fetch` as it is).
   */
  fetch(request: Request, server: Server<HostSocketData>): Promise<Response | undefined>;
  /** Bun's `websocket` option (or the part of the app's own that handles `ws.data.spindle`). */
  readonly websocket: WebSocketHandler<HostSocketData>;
  /** Open WebSocket connections (handshaking ones included). */
  readonly connectionCount: number;
  /** Traffic counters since start (a snapshot). */
  counters(): WireCounters;
  /** `info` with its versioned `frontendUrl` under `basePath` (or none). */
  describeExtension(info: ExtensionInfoDTO): ExtensionInfoDTO;
  /**
   * Closes every connection (`HOST_SHUTDOWN`, with `reason` when given) and ends every hub
   * session. Idempotent.
   */
  close(reason?: string): Promise<void>;
}

/** True for a socket the host opened (`ws.data.spindle`), for apps with WebSockets of their own. */
export function isHostSocket(ws: ServerWebSocket<unknown>): ws is ServerWebSocket<HostSocketData> {
  return (ws.data as Partial<HostSocketData> | undefined)?.spindle === true;
}

function normaliseBasePath(basePath: string | undefined): string {
  const trimmed = (basePath ?? '').replace(/\/+$/, '');
  if (trimmed !== '' && (!trimmed.startsWith('/') || /[?#\s]/.test(trimmed))) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `basePath must be empty or an absolute path such as "/spindle", got ${JSON.stringify(basePath)}`,
    );
  }
  return trimmed;
}

/** Builds the host's HTTP and WebSocket handlers (see the module comment). */
export function createHostHandlers(options: HostHandlerOptions): HostHandlers {
  const { hub } = options;
  const basePath = normaliseBasePath(options.basePath);
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
      { details: { hardMaxFrameBytes, maxFrameBytes: limits.maxFrameBytes } },
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
    basePath,
    ...(options.listProcesses ? { listProcesses: options.listProcesses } : {}),
    ...(options.ops ? { ops: options.ops } : {}),
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
  const describe = (info: ExtensionInfoDTO) => withFrontendUrl(info, http.resolveBundle, basePath);
  hub.setExtensionDescriber(describe);
  const connections = new Set<WireConnection>();
  let closing: Promise<void> | undefined;
  const owns = (pathname: string) =>
    basePath === '' || pathname === basePath || pathname.startsWith(`${basePath}/`);

  return {
    basePath,
    owns: (request) => owns(new URL(request.url).pathname),
    async fetch(request, server) {
      const url = new URL(request.url);
      const clientAddress = clientAddressOf(server, request);
      const address = clientAddress ?? 'unknown';
      if (
        url.pathname === `${basePath}/ws` &&
        request.headers.get('upgrade')?.toLowerCase() === 'websocket'
      ) {
        const origin = request.headers.get('Origin');
        if (origin !== null && !originAllowed(options.allowedOrigins, origin)) {
          return new Response('[spindle] origin not allowed', { status: 403 });
        }
        if (closing) return new Response('[spindle] the host is shutting down', { status: 503 });
        if (connections.size >= maxConnections) {
          return new Response('[spindle] too many connections: try again later', { status: 503 });
        }
        const admitted = admission.admit(address);
        if (!admitted.ok) return refused(admitted.refusal);
        const data: HostSocketData = { spindle: true, request, ticket: admitted.ticket };
        if (server.upgrade(request, { data })) return undefined;
        admitted.ticket.release();
        return new Response('[spindle] WebSocket upgrade failed', { status: 400 });
      }
      const api = url.pathname.startsWith(`${basePath}/api/`);
      const backoff = api ? admission.backoff(address) : undefined;
      if (backoff !== undefined) return refused(backoff);
      try {
        const response = await handleHttp(request, http, {
          ...(clientAddress === undefined ? {} : { clientAddress }),
          accepting: closing === undefined,
        });
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
        const connection = new WireConnection(adapt(ws), settings, {
          request: ws.data.request,
          ticket: ws.data.ticket,
        });
        // The request was needed for the handshake only.
        ws.data.request = undefined;
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
      error(error: Error) {
        reportError(error);
      },
    } satisfies WebSocketHandler<HostSocketData>,
    get connectionCount() {
      return connections.size;
    },
    counters: () => ({ ...settings.counters, ...admission.counters }),
    describeExtension: describe,
    close(reason) {
      closing ??= (async () => {
        hub.closeAll(
          WIRE_CLOSE_CODES.HOST_SHUTDOWN,
          reason ?? 'the host is shutting down: reconnect when it is back',
        );
        for (const connection of [...connections]) {
          connection.close(WIRE_CLOSE_CODES.HOST_SHUTDOWN, reason ?? 'the host is shutting down');
        }
        hub.setExtensionDescriber(undefined);
      })();
      return closing;
    },
  };
}

function refused(refusal: AdmissionRefusal): Response {
  return new Response(refusal.reason, {
    status: refusal.status,
    headers: { 'Retry-After': String(refusal.retryAfterS), 'Cache-Control': 'no-store' },
  });
}

/** The client's address as the server saw it; undefined when the server cannot tell. */
function clientAddressOf(server: Server<HostSocketData>, request: Request): string | undefined {
  try {
    return server.requestIP?.(request)?.address;
  } catch {
    return undefined;
  }
}

function adapt(ws: ServerWebSocket<HostSocketData>) {
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
