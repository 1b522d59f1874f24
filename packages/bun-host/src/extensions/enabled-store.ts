/**
 * The operator's enable / disable of each extension, kept in the data folder
 * (`<dataDir>/state/<identifier>/enabled.json`, written atomically) so that a restart of the host
 * keeps an extension disabled that the operator disabled (docs/operations.md, "Per-extension
 * control"). An unreadable file is ignored with the host's default.
 *
 * Saving is asynchronous and begins on the next turn of the event loop, so that the write runs
 * while the runtime it concerns starts or stops instead of before it (the spawn is not kept
 * waiting); the saves of one extension are applied in the order they were asked for.
 */
import { readFileSync } from 'node:fs';
import { mkdir, rename, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { errorMessage } from '@spindle/types';

/** Saved enabled states of a host's extensions. */
export class EnabledStore {
  readonly #stateDir: string | undefined;
  readonly #onError: (message: string) => void;
  /** The last save asked for, per extension: the next one waits for it. */
  readonly #saving = new Map<string, Promise<void>>();

  /**
   * `stateDir` absent: nothing is read or written. `onError` hears a save that failed (the
   * change still applies to the running host; after a restart the host's default does).
   */
  constructor(stateDir: string | undefined, onError: (message: string) => void = () => {}) {
    this.#stateDir = stateDir;
    this.#onError = onError;
  }

  /** The saved state of `extensionId`, or `undefined` when none was saved. */
  get(extensionId: string): boolean | undefined {
    if (this.#stateDir === undefined) return undefined;
    try {
      const data = JSON.parse(readFileSync(this.#file(extensionId), 'utf8')) as unknown;
      const enabled = (data as { enabled?: unknown } | null)?.enabled;
      return typeof enabled === 'boolean' ? enabled : undefined;
    } catch {
      return undefined;
    }
  }

  /**
   * Saves the state of `extensionId` (atomically: a temp file renamed over the old one), after
   * any earlier save of the same extension. Never rejects: a failure goes to `onError`.
   */
  set(extensionId: string, enabled: boolean): Promise<void> {
    if (this.#stateDir === undefined) return Promise.resolve();
    const previous = this.#saving.get(extensionId) ?? nextTurn();
    const saved = previous
      .then(() => this.#write(extensionId, enabled))
      .catch((error: unknown) => {
        this.#onError(
          `cannot save that ${extensionId} is ${enabled ? 'enabled' : 'disabled'}: ${errorMessage(error)}; after a restart the host's default applies`,
        );
      })
      .finally(() => {
        if (this.#saving.get(extensionId) === saved) this.#saving.delete(extensionId);
      });
    this.#saving.set(extensionId, saved);
    return saved;
  }

  /**
   * Saves the state of `extensionId` while `work` (the start or stop it records) runs; settles
   * with `work`'s outcome once both are done, so the caller hears back with the state on disk.
   */
  async saveDuring<T>(extensionId: string, enabled: boolean, work: () => Promise<T>): Promise<T> {
    const saved = this.set(extensionId, enabled);
    try {
      return await work();
    } finally {
      await saved;
    }
  }

  async #write(extensionId: string, enabled: boolean): Promise<void> {
    const file = this.#file(extensionId);
    await mkdir(dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    await writeFile(temp, JSON.stringify({ enabled }));
    await rename(temp, file);
  }

  #file(extensionId: string): string {
    return join(this.#stateDir ?? '', extensionId, 'enabled.json');
  }
}

/** Resolves on the next turn of the event loop, after the work already under way. */
function nextTurn(): Promise<void> {
  return new Promise((resolve) => setImmediate(resolve));
}
