/**
 * Who may open a connection before anyone knows who they are. Unauthenticated connections are
 * capped per address and in total (nginx's `limit_conn`), so that one address hoarding idle
 * upgrades cannot take every slot from legitimate users; they also have a short hello deadline
 * (`handshakeTimeoutMs` of the server). Failed authentications are counted per address and, past
 * a few, slow that address down exponentially: its upgrades and API calls are refused with 429
 * and `Retry-After` until the backoff ends. The address table is bounded.
 *
 * Addresses are the peer addresses of the TCP connections: behind a reverse proxy they are all
 * the proxy's, and these limits then apply to everyone at once (see `docs/limits.md`).
 */

/** Limits of connections that have not completed the handshake, and of failed logins. */
export interface AdmissionLimits {
  /** Connections of one address that have not completed the handshake. @default 64 */
  maxPendingPerAddress: number;
  /** Connections that have not completed the handshake, in total. @default 1024 */
  maxPending: number;
  /** Failed authentications of one address before it is slowed down. @default 5 */
  authFailuresFree: number;
  /** First backoff after `authFailuresFree` failures, doubling with each further one. @default 1000 */
  authBackoffBaseMs: number;
  /** Longest backoff. @default 60000 */
  authBackoffMaxMs: number;
  /** Failures of an address are forgotten after this long without a new one. @default 600000 */
  authFailureForgetMs: number;
  /** Addresses whose failures are remembered at once; the quietest go first. @default 10000 */
  maxTrackedAddresses: number;
}

/** Default `AdmissionLimits`. */
export const DEFAULT_ADMISSION_LIMITS: Readonly<AdmissionLimits> = Object.freeze({
  maxPendingPerAddress: 64,
  maxPending: 1024,
  authFailuresFree: 5,
  authBackoffBaseMs: 1000,
  authBackoffMaxMs: 60_000,
  authFailureForgetMs: 600_000,
  maxTrackedAddresses: 10_000,
});

/** Counters of the admission, since start. */
export interface AdmissionCounters {
  /** Authentications refused (WebSocket hello and API bearer tokens). */
  authFailures: number;
  /** Upgrades and API calls refused because their address was in backoff. */
  backoffRefusals: number;
  /** Upgrades refused because their address or the host had too many unauthenticated connections. */
  pendingRefusals: number;
}

/** A connection's place among the unauthenticated ones, from its upgrade to its close. */
export interface AdmissionTicket {
  /** The handshake completed: the connection no longer counts as unauthenticated. */
  authenticated(): void;
  /** Its token was refused: counts a failure of its address. */
  failed(): void;
  /** The connection is gone. Idempotent. */
  release(): void;
}

/** Why an upgrade or API call is refused: an HTTP status and a reason a person can act on. */
export interface AdmissionRefusal {
  status: 429 | 503;
  /** Seconds to wait, for `Retry-After`. */
  retryAfterS: number;
  reason: string;
}

interface Failures {
  count: number;
  last: number;
  blockedUntil: number;
}

/** Admission of unauthenticated connections and backoff of failed logins (see the module comment). */
export class ConnectionAdmission {
  readonly limits: AdmissionLimits;
  readonly counters: AdmissionCounters = {
    authFailures: 0,
    backoffRefusals: 0,
    pendingRefusals: 0,
  };
  readonly #now: () => number;
  readonly #pending = new Map<string, number>();
  #pendingTotal = 0;
  /** Failures by address, least recently failed first (re-inserted on each failure). */
  readonly #failures = new Map<string, Failures>();

  constructor(limits: Partial<AdmissionLimits> = {}, now: () => number = Date.now) {
    this.limits = { ...DEFAULT_ADMISSION_LIMITS, ...limits };
    this.#now = now;
  }

  /** Unauthenticated connections now, in total. */
  get pending(): number {
    return this.#pendingTotal;
  }

  /** Admits an upgrade from `address`, or says why not. */
  admit(
    address: string,
  ): { ok: true; ticket: AdmissionTicket } | { ok: false; refusal: AdmissionRefusal } {
    const backoff = this.backoff(address);
    if (backoff !== undefined) return { ok: false, refusal: backoff };
    const mine = this.#pending.get(address) ?? 0;
    const { maxPendingPerAddress, maxPending } = this.limits;
    if (mine >= maxPendingPerAddress || this.#pendingTotal >= maxPending) {
      this.counters.pendingRefusals += 1;
      const who = mine >= maxPendingPerAddress ? 'this address' : 'the host';
      const limit =
        mine >= maxPendingPerAddress
          ? `maxPendingPerAddress ${maxPendingPerAddress}`
          : `maxPending ${maxPending}`;
      return {
        ok: false,
        refusal: {
          status: 503,
          retryAfterS: 1,
          reason: `[spindle] ${who} has too many connections that have not sent hello (${limit}): try again shortly`,
        },
      };
    }
    this.#pending.set(address, mine + 1);
    this.#pendingTotal += 1;
    let pending = true;
    let released = false;
    const leave = () => {
      if (!pending) return;
      pending = false;
      const left = (this.#pending.get(address) ?? 1) - 1;
      if (left > 0) this.#pending.set(address, left);
      else this.#pending.delete(address);
      this.#pendingTotal -= 1;
    };
    return {
      ok: true,
      ticket: {
        authenticated: leave,
        failed: () => this.authFailed(address),
        release: () => {
          if (released) return;
          released = true;
          leave();
        },
      },
    };
  }

  /**
   * The refusal for an address that is in backoff now (counted), or `undefined`. API calls
   * ask this before checking a bearer token.
   */
  backoff(address: string): AdmissionRefusal | undefined {
    const failures = this.#failures.get(address);
    if (failures === undefined) return undefined;
    const now = this.#now();
    if (now < failures.blockedUntil) {
      this.counters.backoffRefusals += 1;
      const waitMs = failures.blockedUntil - now;
      return {
        status: 429,
        retryAfterS: Math.max(1, Math.ceil(waitMs / 1000)),
        reason: `[spindle] too many failed sign-ins from this address (${failures.count}): wait ${Math.ceil(waitMs / 1000)} s before trying again`,
      };
    }
    return undefined;
  }

  /** A token from `address` was refused: count it and, past the free ones, back off. */
  authFailed(address: string): void {
    this.counters.authFailures += 1;
    const now = this.#now();
    const { authFailuresFree, authBackoffBaseMs, authBackoffMaxMs, authFailureForgetMs } =
      this.limits;
    let failures = this.#failures.get(address);
    if (failures !== undefined && now - failures.last >= authFailureForgetMs) failures = undefined;
    failures ??= { count: 0, last: now, blockedUntil: 0 };
    failures.count += 1;
    failures.last = now;
    const over = failures.count - authFailuresFree;
    if (over > 0) {
      const delay = Math.min(authBackoffMaxMs, authBackoffBaseMs * 2 ** Math.min(over - 1, 30));
      failures.blockedUntil = now + delay;
    }
    // Re-insert: the map stays ordered from the quietest address to the latest failure.
    this.#failures.delete(address);
    this.#failures.set(address, failures);
    this.#trim(now);
  }

  /** Forgets quiet addresses, and the quietest ones past `maxTrackedAddresses`. */
  #trim(now: number): void {
    for (const [address, failures] of this.#failures) {
      const forget =
        this.#failures.size > this.limits.maxTrackedAddresses ||
        now - failures.last >= this.limits.authFailureForgetMs;
      if (!forget) break;
      this.#failures.delete(address);
    }
  }
}
