/**
 * The operator's enable / disable of each extension, kept in the data folder
 * (`<dataDir>/state/<identifier>/enabled.json`, written atomically) so that a restart of the host
 * keeps an extension disabled that the operator disabled (docs/operations.md, "Per-extension
 * control"). An unreadable file is ignored with the host's default.
 */
import { mkdirSync, readFileSync, renameSync, writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** Saved enabled states of a host's extensions. */
export class EnabledStore {
  readonly #stateDir: string | undefined;

  /** `stateDir` absent: nothing is read or written. */
  constructor(stateDir: string | undefined) {
    this.#stateDir = stateDir;
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

  /** Saves the state of `extensionId` (atomically: a temp file renamed over the old one). */
  set(extensionId: string, enabled: boolean): void {
    if (this.#stateDir === undefined) return;
    const file = this.#file(extensionId);
    mkdirSync(dirname(file), { recursive: true });
    const temp = `${file}.tmp-${process.pid}`;
    writeFileSync(temp, JSON.stringify({ enabled }));
    renameSync(temp, file);
  }

  #file(extensionId: string): string {
    return join(this.#stateDir ?? '', extensionId, 'enabled.json');
  }
}
