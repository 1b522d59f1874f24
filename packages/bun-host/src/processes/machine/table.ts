/**
 * The process table of one supervisor: live processes per extension, a bounded history of ended
 * ones (for `get` and `list` after the end), dedupe by `(userId, kind, key)` with
 * `replaceExisting`, and the per-extension limit. Kind-agnostic.
 */
import { SpindleError } from '@spindle/types';
import type { ProcessMachine } from './process-machine.ts';
import type { ProcessState } from './states.ts';
import type { ProcessInfo } from './types.ts';

/** What the table stores: a machine plus whatever the kind needs. */
export interface TableEntry {
  readonly extensionId: string;
  readonly machine: ProcessMachine;
}

/** Filter of `list`. */
export interface ProcessFilter {
  userId?: string;
  kind?: string;
  key?: string;
  state?: ProcessState;
}

/** A spawn admitted by `admit`: holds its dedupe key and limit slot until released. */
export interface Admission {
  /** Frees the slot; call after the entry was added (or the spawn gave up). Idempotent. */
  release(): void;
}

/** What `admit` needs to know of a spawn. */
export interface AdmissionRequest {
  extensionId: string;
  userId?: string;
  kind: string;
  key?: string;
  replaceExisting?: boolean;
  /** Live processes allowed per extension (live + admitted-but-not-added). */
  limit: number;
}

/** The dedupe key (docs/architecture.md, "Process lifecycle"), or undefined without a `key`. */
function dedupeKey(userId: string | undefined, kind: string, key: string | undefined) {
  return key === undefined ? undefined : JSON.stringify([userId ?? null, kind, key]);
}

/** Live processes, history and admission of one supervisor. */
export class ProcessTable<E extends TableEntry> {
  readonly #historyLimit: number;
  readonly #byId = new Map<string, E>();
  readonly #live = new Map<string, Set<E>>();
  readonly #history = new Map<string, E[]>();
  readonly #pending = new Map<string, { count: number; keys: Set<string> }>();

  /** @param historyLimit ended processes kept per extension */
  constructor(historyLimit: number) {
    this.#historyLimit = historyLimit;
  }

  /** A process by id, live or recently ended. */
  get(processId: string): E | undefined {
    return this.#byId.get(processId);
  }

  /** Live entries of one extension (all extensions without an id). */
  live(extensionId?: string): E[] {
    if (extensionId !== undefined) return [...(this.#live.get(extensionId) ?? [])];
    return [...this.#live.values()].flatMap((set) => [...set]);
  }

  /**
   * Processes of one extension that have not ended. An ended one leaves `live` a turn after its
   * terminal lifecycle event; whoever hears that event must already count it as gone.
   */
  liveCount(extensionId: string): number {
    let count = 0;
    for (const entry of this.#live.get(extensionId) ?? [])
      if (!entry.machine.isTerminal) count += 1;
    return count;
  }

  /** Extensions that have live processes. */
  extensions(): string[] {
    return [...this.#live.keys()];
  }

  /** Infos of an extension's processes (live first, then history), matching the filter. */
  list(extensionId: string, filter: ProcessFilter = {}): ProcessInfo[] {
    const entries = [
      ...(this.#live.get(extensionId) ?? []),
      ...(this.#history.get(extensionId) ?? []),
    ];
    return entries
      .map((entry) => entry.machine.info())
      .filter(
        (info) =>
          (filter.userId === undefined || info.userId === filter.userId) &&
          (filter.kind === undefined || info.kind === filter.kind) &&
          (filter.key === undefined || info.key === filter.key) &&
          (filter.state === undefined || info.state === filter.state),
      );
  }

  /** The live process holding `(userId, kind, key)`, if any. */
  findLive(extensionId: string, userId: string | undefined, kind: string, key: string | undefined) {
    const wanted = dedupeKey(userId, kind, key);
    if (wanted === undefined) return undefined;
    for (const entry of this.#live.get(extensionId) ?? []) {
      const m = entry.machine;
      if (!m.isTerminal && dedupeKey(m.userId, m.kind, m.key) === wanted) return entry;
    }
    return undefined;
  }

  /**
   * Admits a spawn: a live duplicate rejects (`DUPLICATE_PROCESS`) or, with `replaceExisting`,
   * is ended through `replace` first; then the limit applies (`PROCESS_LIMIT`). The returned
   * admission reserves the key and a slot until released.
   */
  async admit(
    request: AdmissionRequest,
    replace: (old: E) => Promise<unknown>,
  ): Promise<Admission> {
    const key = dedupeKey(request.userId, request.kind, request.key);
    const pending = this.#pendingOf(request.extensionId);
    if (key !== undefined && pending.keys.has(key)) throw duplicate(request, 'being spawned');
    const existing = this.findLive(request.extensionId, request.userId, request.kind, request.key);
    if (existing !== undefined) {
      if (!request.replaceExisting)
        throw duplicate(request, `live as ${existing.machine.processId}`);
      if (key !== undefined) pending.keys.add(key);
      try {
        await replace(existing);
      } finally {
        if (key !== undefined) pending.keys.delete(key);
      }
      const again = this.findLive(request.extensionId, request.userId, request.kind, request.key);
      if (again !== undefined || (key !== undefined && pending.keys.has(key))) {
        throw duplicate(request, 'spawned again while replacing');
      }
    }
    const live = this.live(request.extensionId).filter((e) => !e.machine.isTerminal).length;
    if (live + pending.count >= request.limit) {
      throw new SpindleError(
        'PROCESS_LIMIT',
        `extension ${request.extensionId} already has ${live + pending.count} live processes (limit ${request.limit})`,
        { details: { extensionId: request.extensionId, limit: request.limit, live } },
      );
    }
    pending.count += 1;
    if (key !== undefined) pending.keys.add(key);
    let released = false;
    return {
      release: () => {
        if (released) return;
        released = true;
        pending.count -= 1;
        if (key !== undefined) pending.keys.delete(key);
        if (pending.count === 0 && pending.keys.size === 0)
          this.#pending.delete(request.extensionId);
      },
    };
  }

  /** Adds a live entry; it moves to the history by itself when its machine ends. */
  add(entry: E): void {
    this.#byId.set(entry.machine.processId, entry);
    let set = this.#live.get(entry.extensionId);
    if (set === undefined) {
      set = new Set();
      this.#live.set(entry.extensionId, set);
    }
    set.add(entry);
    void entry.machine.ended.then(() => this.#retire(entry));
  }

  #retire(entry: E): void {
    const set = this.#live.get(entry.extensionId);
    set?.delete(entry);
    if (set?.size === 0) this.#live.delete(entry.extensionId);
    const history = this.#history.get(entry.extensionId) ?? [];
    history.unshift(entry);
    for (const dropped of history.splice(this.#historyLimit)) {
      this.#byId.delete(dropped.machine.processId);
    }
    if (history.length > 0) this.#history.set(entry.extensionId, history);
  }

  /** Forgets the history of an extension (after unload). */
  forgetHistory(extensionId: string): void {
    for (const entry of this.#history.get(extensionId) ?? []) {
      this.#byId.delete(entry.machine.processId);
    }
    this.#history.delete(extensionId);
  }

  #pendingOf(extensionId: string) {
    let pending = this.#pending.get(extensionId);
    if (pending === undefined) {
      pending = { count: 0, keys: new Set() };
      this.#pending.set(extensionId, pending);
    }
    return pending;
  }
}

function duplicate(request: AdmissionRequest, where: string): SpindleError {
  return new SpindleError(
    'DUPLICATE_PROCESS',
    `a process with kind ${request.kind} and key ${String(request.key)} is already ${where}`,
    {
      details: {
        extensionId: request.extensionId,
        userId: request.userId,
        kind: request.kind,
        key: request.key,
      },
    },
  );
}
