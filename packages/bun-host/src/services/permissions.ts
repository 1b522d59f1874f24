/**
 * The grant model (docs/embedding.md, "Permissions"): an extension is granted what its manifest
 * asks for, unless the operator configured its grants, minus the operator's deny list. Changes
 * made while the host runs (`grant`, `revoke`, `set`) reach running extensions at once and are
 * kept in `<dataDir>/state/<id>/permissions.json`, so they outlive a restart.
 */
import { mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { SpindleError } from '@spindle/types';
import mitt, { type Emitter } from 'mitt';

/** Operator configuration of permissions. */
export interface PermissionPolicy {
  /** Granted permissions per extension identifier; an extension not listed gets its manifest's. */
  grants?: Record<string, string[]>;
  /** Never granted to any extension, whatever it asks for or is given. */
  deny?: string[];
}

/** One change of one extension's grants. */
export interface PermissionChange {
  extensionId: string;
  permission: string;
  granted: boolean;
  /** Every permission granted after the change. */
  allGranted: string[];
}

/** `host.permissions`. */
export interface HostPermissions {
  /** Permissions granted to `extensionId` now. */
  granted(extensionId: string): string[];
  /** Grants one permission. @throws `FORBIDDEN` for a denied one, `EXTENSION_NOT_FOUND`. */
  grant(extensionId: string, permission: string): string[];
  /** Revokes one permission. */
  revoke(extensionId: string, permission: string): string[];
  /** Replaces the grants (denied names are dropped). */
  set(extensionId: string, permissions: string[]): string[];
  /** Forgets the changes made at run time: back to the configured or requested grants. */
  reset(extensionId: string): string[];
  /** Every change, as it happens. */
  readonly events: Emitter<{ changed: PermissionChange }>;
}

const sorted = (names: Iterable<string>) => [...new Set(names)].sort();

/** The grants of every extension of one host. */
export class PermissionStore implements HostPermissions {
  readonly events = mitt<{ changed: PermissionChange }>();
  readonly #requested = new Map<string, string[]>();
  readonly #overrides = new Map<string, string[]>();
  readonly #deny: Set<string>;

  constructor(
    private readonly policy: PermissionPolicy,
    private readonly stateDir: string | undefined,
  ) {
    this.#deny = new Set(policy.deny ?? []);
  }

  /** Makes `extensionId` known with the permissions its manifest asks for; reads saved changes. */
  add(extensionId: string, requested: readonly string[]): void {
    this.#requested.set(extensionId, [...requested]);
    const saved = this.#read(extensionId);
    if (saved) this.#overrides.set(extensionId, saved);
  }

  granted(extensionId: string): string[] {
    const base =
      this.#overrides.get(extensionId) ??
      this.policy.grants?.[extensionId] ??
      this.#requested.get(extensionId) ??
      [];
    return sorted(base.filter((name) => !this.#deny.has(name)));
  }

  grant(extensionId: string, permission: string): string[] {
    if (this.#deny.has(permission)) {
      throw new SpindleError(
        'FORBIDDEN',
        `permission "${permission}" is on the operator's deny list and cannot be granted`,
      );
    }
    return this.set(extensionId, [...this.granted(extensionId), permission]);
  }

  revoke(extensionId: string, permission: string): string[] {
    return this.set(
      extensionId,
      this.granted(extensionId).filter((name) => name !== permission),
    );
  }

  set(extensionId: string, permissions: string[]): string[] {
    this.#known(extensionId);
    if (!Array.isArray(permissions) || permissions.some((p) => typeof p !== 'string')) {
      throw new SpindleError('INVALID_OPTIONS', 'permissions must be an array of names');
    }
    const before = new Set(this.granted(extensionId));
    this.#overrides.set(extensionId, sorted(permissions));
    this.#write(extensionId);
    return this.#announce(extensionId, before);
  }

  reset(extensionId: string): string[] {
    this.#known(extensionId);
    const before = new Set(this.granted(extensionId));
    this.#overrides.delete(extensionId);
    if (this.stateDir) rmSync(this.#file(extensionId), { force: true });
    return this.#announce(extensionId, before);
  }

  #announce(extensionId: string, before: Set<string>): string[] {
    const after = this.granted(extensionId);
    const now = new Set(after);
    for (const name of sorted([...before, ...now])) {
      if (before.has(name) === now.has(name)) continue;
      this.events.emit('changed', {
        extensionId,
        permission: name,
        granted: now.has(name),
        allGranted: after,
      });
    }
    return after;
  }

  #known(extensionId: string): void {
    if (!this.#requested.has(extensionId)) {
      throw new SpindleError('EXTENSION_NOT_FOUND', `no extension "${extensionId}"`);
    }
  }

  #file(extensionId: string): string {
    return join(this.stateDir ?? '', extensionId, 'permissions.json');
  }

  #read(extensionId: string): string[] | undefined {
    if (!this.stateDir) return undefined;
    try {
      const data = JSON.parse(readFileSync(this.#file(extensionId), 'utf8')) as unknown;
      const list = (data as { granted?: unknown }).granted;
      return Array.isArray(list) && list.every((p) => typeof p === 'string') ? list : undefined;
    } catch {
      return undefined;
    }
  }

  #write(extensionId: string): void {
    if (!this.stateDir) return;
    const file = this.#file(extensionId);
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify({ granted: this.#overrides.get(extensionId) ?? [] }));
    renameSync(temp, file);
  }
}
