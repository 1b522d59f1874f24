/**
 * The operator's HTTP routes (docs/operations.md): `GET /healthz` (liveness, public, says nothing
 * but "ok"), `GET /readyz` (503 until the server takes sessions and while draining), `GET /metrics`
 * (Prometheus text; loopback clients or admin tokens by default), and the admin API of
 * per-extension control: `GET /api/admin/extensions`, `POST /api/admin/extensions/<id>/<action>`
 * with `enable`, `disable`, `restart`, `reload`, `wake` or `hibernate` (admin tokens only). All of
 * them sit under the host's base path, on its own server or mounted on the app's.
 */
import { EXTENSION_IDENTIFIER_PATTERN, errorMessage, isSpindleError } from '@spindle/types';
import type { HostExtensionInfo, SpindleHost } from '../host-types.ts';
import type { Authenticate } from '../server/auth.ts';
import type { HostMetrics } from './metrics.ts';

/**
 * Who may read `/metrics`: `loopback-or-admin` (a client on the same machine, or an admin
 * token), `admin` (an admin token only) or `public` (anyone who reaches the server).
 */
export type MetricsAccess = 'loopback-or-admin' | 'admin' | 'public';

/** Every `MetricsAccess`. */
export const METRICS_ACCESS_VALUES: readonly MetricsAccess[] = [
  'loopback-or-admin',
  'admin',
  'public',
];

/** Per-extension actions of the admin API. */
export const ADMIN_ACTIONS = [
  'enable',
  'disable',
  'restart',
  'reload',
  'wake',
  'hibernate',
] as const;

/** One per-extension action. */
export type AdminAction = (typeof ADMIN_ACTIONS)[number];

/** What the routes need. */
export interface OpsRoutesOptions {
  host: SpindleHost;
  metrics: HostMetrics;
  authenticate: Authenticate;
  /** @default "loopback-or-admin" (read at each request, so a config reload applies at once) */
  metricsAccess?: () => MetricsAccess | undefined;
}

/** The routes, as `handleHttp` calls them. */
export interface OpsRoutes {
  /**
   * Answers `request` when `pathname` (below the base path) is one of these routes, else
   * resolves `undefined`. `accepting`: the server still takes sessions.
   */
  handle(
    request: Request,
    pathname: string,
    context: {
      cors: Record<string, string>;
      clientAddress: string | undefined;
      accepting: boolean;
    },
  ): Promise<Response | undefined>;
}

const ACTION_PATH = /^\/api\/admin\/extensions\/([^/]+)\/([a-z]+)$/;

/** Status of each error code an admin action may end with. */
const STATUS_OF: Record<string, number> = {
  EXTENSION_NOT_FOUND: 404,
  INVALID_MANIFEST: 422,
  INVALID_OPTIONS: 400,
  EXTENSION_INACTIVE: 409,
  CAPACITY_EXCEEDED: 503,
  DRAINING: 503,
  HOST_CLOSING: 503,
};

/** True for a loopback client address (IPv4 127/8, `::1`, IPv4-mapped loopback). */
export function isLoopbackAddress(address: string | undefined): boolean {
  if (address === undefined) return false;
  const plain = address.startsWith('::ffff:') ? address.slice(7) : address;
  return plain === '::1' || /^127(\.\d{1,3}){3}$/.test(plain);
}

/** Builds the operator's routes of one host. */
export function createOpsRoutes(options: OpsRoutesOptions): OpsRoutes {
  const { host, metrics } = options;
  const identify = async (request: Request) => {
    const match = /^Bearer\s+(\S+)$/i.exec(request.headers.get('Authorization') ?? '');
    return (await options.authenticate(match?.[1] ?? '', request)) ?? undefined;
  };
  const admin = async (request: Request, cors: Record<string, string>) => {
    const identity = await identify(request);
    if (!identity) {
      return json(
        {
          code: 'UNAUTHORIZED',
          message: '[spindle] send "Authorization: Bearer <token>" with an admin token',
        },
        401,
        { ...cors, 'WWW-Authenticate': 'Bearer' },
      );
    }
    if (!identity.isAdmin) {
      return json(
        { code: 'FORBIDDEN', message: '[spindle] this route is for admin tokens only' },
        403,
        cors,
      );
    }
    return undefined;
  };

  return {
    async handle(request, pathname, { cors, clientAddress, accepting }) {
      const method = request.method;
      if (pathname === '/healthz' && (method === 'GET' || method === 'HEAD')) {
        return json({ status: 'ok' }, 200, cors);
      }
      if (pathname === '/readyz' && (method === 'GET' || method === 'HEAD')) {
        const status = host.draining ? 'draining' : accepting ? 'ready' : 'closing';
        return json({ status }, status === 'ready' ? 200 : 503, cors);
      }
      if (pathname === '/metrics' && (method === 'GET' || method === 'HEAD')) {
        const access = options.metricsAccess?.() ?? 'loopback-or-admin';
        if (
          access !== 'public' &&
          !(access === 'loopback-or-admin' && isLoopbackAddress(clientAddress))
        ) {
          const refused = await admin(request, cors);
          if (refused) return refused;
        }
        return new Response(await metrics.text(), {
          status: 200,
          headers: { ...cors, 'Content-Type': metrics.contentType, 'Cache-Control': 'no-store' },
        });
      }
      if (pathname === '/api/admin/extensions' && method === 'GET') {
        return (await admin(request, cors)) ?? json(host.list().map(adminView), 200, cors);
      }
      const action = ACTION_PATH.exec(pathname);
      if (!action) return undefined;
      const refused = await admin(request, cors);
      if (refused) return refused;
      if (method !== 'POST') {
        return json({ code: 'INVALID_FRAME', message: `[spindle] use POST for ${pathname}` }, 405, {
          ...cors,
          Allow: 'POST',
        });
      }
      const [, id = '', verb = ''] = action;
      if (!EXTENSION_IDENTIFIER_PATTERN.test(id) || id.length > 128) {
        return json(
          { code: 'EXTENSION_NOT_FOUND', message: '[spindle] no extension by that id' },
          404,
          cors,
        );
      }
      if (!(ADMIN_ACTIONS as readonly string[]).includes(verb)) {
        return json(
          {
            code: 'INVALID_OPTIONS',
            message: `[spindle] unknown action "${verb}": use one of ${ADMIN_ACTIONS.join(', ')}`,
          },
          404,
          cors,
        );
      }
      try {
        const info = await host[verb as AdminAction](id);
        return json(adminView(info), 200, cors);
      } catch (error) {
        const code = isSpindleError(error) ? error.code : 'INTERNAL';
        const status = STATUS_OF[code] ?? 500;
        return json(
          { code, message: errorMessage(error) },
          status,
          status === 503 ? { ...cors, 'Retry-After': '5' } : cors,
        );
      }
    },
  };
}

/** An extension as the admin API shows it (no manifest body: it is in `/api/extensions`). */
function adminView(info: HostExtensionInfo): Record<string, unknown> {
  const { manifest, host: _descriptor, ...rest } = info;
  return { ...rest, ...(manifest ? { version: manifest.version, name: manifest.name } : {}) };
}

function json(body: unknown, status: number, headers: Record<string, string>): Response {
  return new Response(JSON.stringify(body), {
    status,
    headers: {
      ...headers,
      'Content-Type': 'application/json; charset=utf-8',
      'Cache-Control': 'no-store',
    },
  });
}
