/**
 * The HTTP routes of the host: the extension list (`GET /api/extensions`, token required) and
 * the frontend bundles (`GET /extensions/<id>/frontend.js?v=<version>`, public: browsers load
 * them with `import()`, which cannot send a token).
 */
import { EXTENSION_IDENTIFIER_PATTERN, type ExtensionInfoDTO } from '@spindle/types';
import type { OpsRoutes } from '../ops/routes.ts';
import type { Authenticate } from './auth.ts';
import {
  type BundleFile,
  bundleEtag,
  bundleVersion,
  etagMatches,
  frontendBundleUrl,
} from './bundle.ts';
import { corsHeaders, type OriginPolicy } from './cors.ts';

/** What the routes need from the host. */
export interface HttpContext {
  authenticate: Authenticate;
  getExtensions(): ExtensionInfoDTO[];
  resolveBundle(extensionId: string): BundleFile | null;
  allowedOrigins: OriginPolicy | undefined;
  /** Every supervised process, for `GET /api/processes` (admin tokens only); absent: 404. */
  listProcesses?: () => unknown[];
  /** Path every route sits under (`/spindle`); `''` for the root. @default '' */
  basePath?: string;
  /** Health, readiness, metrics and the admin API (`ops/routes.ts`); absent: none of them. */
  ops?: OpsRoutes;
}

/** What the server knows of a request besides the request itself. */
export interface RequestContext {
  /** The client's IP address, as the server saw it. */
  clientAddress?: string | undefined;
  /** The server still takes sessions (false once it is shutting down). @default true */
  accepting?: boolean;
}

/** Longest identifier accepted in a bundle URL. */
const MAX_IDENTIFIER_LENGTH = 128;

/** Bundles may run code, never load anything or be framed. */
const BUNDLE_CSP =
  "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'";

const BUNDLE_PATH = /^\/extensions\/([^/]+)\/frontend\.js$/;

/** True for an extension whose frontend half may be served. */
export function isServable(extension: ExtensionInfoDTO): boolean {
  return extension.state !== 'disabled';
}

/**
 * `extension` with `frontendUrl` set by the server: the versioned URL of its bundle when it is
 * servable and has one, absent otherwise. Use it on `extension_state` downlinks too, so browsers
 * always see the URL the bundle route will answer with long caching.
 */
export function withFrontendUrl(
  extension: ExtensionInfoDTO,
  resolveBundle: HttpContext['resolveBundle'],
  basePath = '',
): ExtensionInfoDTO {
  const { frontendUrl: _ignored, ...rest } = extension;
  const file = isServable(extension) ? safeResolve({ resolveBundle }, extension.identifier) : null;
  return file
    ? { ...rest, frontendUrl: frontendBundleUrl(extension.identifier, file, basePath) }
    : rest;
}

/** The extension list as browsers see it (see `withFrontendUrl`). */
export function listExtensions(
  context: Pick<HttpContext, 'getExtensions' | 'resolveBundle' | 'basePath'>,
): ExtensionInfoDTO[] {
  return context
    .getExtensions()
    .map((extension) => withFrontendUrl(extension, context.resolveBundle, context.basePath));
}

/** Answers an HTTP request that is not a WebSocket upgrade. */
export async function handleHttp(
  request: Request,
  context: HttpContext,
  requestContext: RequestContext = {},
): Promise<Response> {
  const url = new URL(request.url);
  const base = context.basePath ?? '';
  // Routes are matched below the base path (the caller only hands over requests under it).
  const pathname = url.pathname.startsWith(base) ? url.pathname.slice(base.length) : url.pathname;
  const cors = corsHeaders(request.headers.get('Origin'), context.allowedOrigins);
  if (request.method === 'OPTIONS') {
    const allowed = 'Access-Control-Allow-Origin' in cors;
    return new Response(null, { status: allowed ? 204 : 403, headers: cors });
  }
  const ops = await context.ops?.handle(request, pathname, {
    cors,
    clientAddress: requestContext.clientAddress,
    accepting: requestContext.accepting ?? true,
  });
  if (ops) return ops;
  if (request.method !== 'GET' && request.method !== 'HEAD') {
    return json({ code: 'INVALID_FRAME', message: `${request.method} is not supported` }, 405, {
      ...cors,
      Allow: 'GET, HEAD, OPTIONS',
    });
  }
  if (pathname === '/api/extensions') return extensionsRoute(request, context, cors);
  if (pathname === '/api/processes' && context.listProcesses) {
    return processesRoute(request, context, context.listProcesses, cors);
  }
  const bundle = BUNDLE_PATH.exec(pathname);
  if (bundle) return bundleRoute(request, url, bundle[1] ?? '', context, cors);
  if (pathname === '/ws') {
    return json({ code: 'INVALID_FRAME', message: 'GET /ws is a WebSocket endpoint' }, 426, {
      ...cors,
      Upgrade: 'websocket',
    });
  }
  return json(
    { message: `[spindle] no route for ${request.method} ${url.pathname.slice(0, 200)}` },
    404,
    cors,
  );
}

async function bearerIdentity(request: Request, context: HttpContext) {
  const header = request.headers.get('Authorization') ?? '';
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return await context.authenticate(match?.[1] ?? '', request);
}

function unauthorized(cors: Record<string, string>): Response {
  return json(
    {
      code: 'UNAUTHORIZED',
      message: '[spindle] send "Authorization: Bearer <token>" with a valid token',
    },
    401,
    { ...cors, 'WWW-Authenticate': 'Bearer' },
  );
}

async function extensionsRoute(
  request: Request,
  context: HttpContext,
  cors: Record<string, string>,
): Promise<Response> {
  if (!(await bearerIdentity(request, context))) return unauthorized(cors);
  return json(listExtensions(context), 200, cors);
}

async function processesRoute(
  request: Request,
  context: HttpContext,
  listProcesses: () => unknown[],
  cors: Record<string, string>,
): Promise<Response> {
  const identity = await bearerIdentity(request, context);
  if (!identity) return unauthorized(cors);
  if (!identity.isAdmin) {
    return json(
      { code: 'FORBIDDEN', message: '[spindle] the process list is for admin tokens only' },
      403,
      cors,
    );
  }
  return json(listProcesses(), 200, { ...cors, 'Cache-Control': 'no-store' });
}

function bundleRoute(
  request: Request,
  url: URL,
  identifier: string,
  context: HttpContext,
  cors: Record<string, string>,
): Response {
  // The pattern admits no `.`, `/`, `%` or `\`: nothing can climb out of the bundle folder.
  if (identifier.length > MAX_IDENTIFIER_LENGTH || !EXTENSION_IDENTIFIER_PATTERN.test(identifier)) {
    return notFound(cors);
  }
  const extension = context.getExtensions().find((e) => e.identifier === identifier);
  const file = extension && isServable(extension) ? safeResolve(context, identifier) : null;
  if (!file) return notFound(cors);
  const etag = bundleEtag(file);
  const versioned = url.searchParams.get('v') === bundleVersion(file);
  const headers: Record<string, string> = {
    ...cors,
    ETag: etag,
    'Cache-Control': versioned ? 'public, max-age=31536000, immutable' : 'no-cache',
    'Content-Type': 'text/javascript; charset=utf-8',
    'Content-Security-Policy': BUNDLE_CSP,
    'X-Content-Type-Options': 'nosniff',
    'Cross-Origin-Resource-Policy': 'cross-origin',
    'Referrer-Policy': 'no-referrer',
  };
  if (etagMatches(request.headers.get('If-None-Match'), etag)) {
    return new Response(null, { status: 304, headers });
  }
  return new Response(Bun.file(file.path), { status: 200, headers });
}

function safeResolve(
  context: Pick<HttpContext, 'resolveBundle'>,
  identifier: string,
): BundleFile | null {
  try {
    return context.resolveBundle(identifier);
  } catch {
    return null;
  }
}

function notFound(cors: Record<string, string>): Response {
  return json(
    {
      code: 'EXTENSION_NOT_FOUND',
      message: '[spindle] no enabled extension with a frontend bundle by that id',
    },
    404,
    cors,
  );
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
