/**
 * Authentication of frontend connections and API calls. The host asks one function,
 * `authenticate(token)`, who a token belongs to; these helpers build it from a token table, a
 * token file, or a generated development token.
 *
 * Token file format (`loadTokenFile`): a JSON object mapping each token to its identity,
 * `{ "<token>": { "userId": "alice", "isAdmin": true } }`. Keep the file private to the host's
 * user: anyone who can read it can act as those users.
 */
import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import { SpindleError } from '@spindle/types';

/** Who a token belongs to. */
export interface AuthIdentity {
  userId: string;
  /** Admin sessions may subscribe to runtime stats. @default false */
  isAdmin?: boolean;
}

/**
 * Resolves a token to its identity, or `null` when it is refused. `request` is the HTTP request
 * the token came with: the WebSocket upgrade for `hello.token`, the API request for a Bearer
 * token. An app that mounts the host on its own server reads its session cookie from it (the
 * token may then be empty).
 */
export type Authenticate = (
  token: string,
  request?: Request,
) => Promise<AuthIdentity | null> | AuthIdentity | null;

/** Compares two strings in time that does not depend on where they differ. */
export function constantTimeEqual(a: string, b: string): boolean {
  // Digests have equal length, so `timingSafeEqual` never throws and length does not leak.
  const left = createHash('sha256').update(a).digest();
  const right = createHash('sha256').update(b).digest();
  return timingSafeEqual(left, right);
}

/**
 * An `authenticate` over a fixed token table. Every entry is compared (no early exit), each in
 * constant time, so response time does not reveal which tokens exist. Empty tokens never match.
 */
export function createTokenAuthenticator(options: {
  tokens: Record<string, AuthIdentity>;
}): Authenticate {
  const entries = Object.entries(options.tokens).map(
    ([token, identity]) => [token, { ...identity }] as const,
  );
  return (token) => {
    let found: AuthIdentity | null = null;
    for (const [candidate, identity] of entries) {
      if (constantTimeEqual(candidate, token) && candidate.length > 0 && found === null) {
        found = identity;
      }
    }
    return found === null ? null : { userId: found.userId, isAdmin: found.isAdmin === true };
  };
}

/** A development authenticator and the token it accepts. */
export interface DevAuthenticator {
  /** The one token accepted (random unless given). */
  token: string;
  userId: string;
  isAdmin: boolean;
  authenticate: Authenticate;
}

/**
 * Development mode: one random token for one user, printed once through `print` (the CLI
 * passes `console.log`). Never use it on a host reachable by others.
 */
export function createDevAuthenticator(
  options: {
    /** @default "dev" */
    userId?: string;
    /** @default true */
    isAdmin?: boolean;
    /** Use this token instead of a random one (tests). */
    token?: string;
    /** Prints the token once. @default no printing */
    print?: (line: string) => void;
  } = {},
): DevAuthenticator {
  const userId = options.userId ?? 'dev';
  const isAdmin = options.isAdmin ?? true;
  const token = options.token ?? randomBytes(24).toString('base64url');
  options.print?.(
    `[spindle] dev token for user "${userId}" (valid until the host stops): ${token}`,
  );
  return {
    token,
    userId,
    isAdmin,
    authenticate: createTokenAuthenticator({ tokens: { [token]: { userId, isAdmin } } }),
  };
}

/**
 * Reads a token file (see the module comment). Throws `SpindleError('INVALID_OPTIONS')` naming
 * the file and the offending entry when it cannot be read or has the wrong shape.
 */
export async function loadTokenFile(path: string): Promise<Record<string, AuthIdentity>> {
  let parsed: unknown;
  try {
    parsed = JSON.parse(await readFile(path, 'utf8'));
  } catch (cause) {
    throw new SpindleError('INVALID_OPTIONS', `token file ${path} could not be read as JSON`, {
      cause,
      details: { path },
    });
  }
  if (typeof parsed !== 'object' || parsed === null || Array.isArray(parsed)) {
    throw new SpindleError(
      'INVALID_OPTIONS',
      `token file ${path} must hold an object { "<token>": { "userId": "...", "isAdmin": false } }`,
      { details: { path } },
    );
  }
  const tokens: Record<string, AuthIdentity> = {};
  for (const [token, value] of Object.entries(parsed)) {
    const where = `token file ${path}, entry ${JSON.stringify(token.slice(0, 4))}…`;
    if (token.length < 16) {
      throw new SpindleError('INVALID_OPTIONS', `${where}: tokens must be at least 16 characters`, {
        details: { path },
      });
    }
    const entry = value as { userId?: unknown; isAdmin?: unknown } | null;
    if (
      typeof entry !== 'object' ||
      entry === null ||
      typeof entry.userId !== 'string' ||
      entry.userId === ''
    ) {
      throw new SpindleError('INVALID_OPTIONS', `${where}: "userId" must be a non-empty string`, {
        details: { path },
      });
    }
    if (entry.isAdmin !== undefined && typeof entry.isAdmin !== 'boolean') {
      throw new SpindleError('INVALID_OPTIONS', `${where}: "isAdmin" must be true or false`, {
        details: { path },
      });
    }
    tokens[token] = { userId: entry.userId, isAdmin: entry.isAdmin === true };
  }
  return tokens;
}
