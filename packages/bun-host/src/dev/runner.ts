/**
 * When the dev loop rebuilds one extension: an explicit state machine that turns a burst of file
 * changes into one round (build and act), never runs two rounds of one extension at once, and
 * runs exactly one more round for changes that arrive while a round runs.
 *
 *     idle ──change──▶ waiting ──quiet for debounceMs──▶ running ──▶ idle
 *                       ▲  └─change: wait again             │
 *                       └──────── a change came in meanwhile┘
 *
 * `close()` ends it from any state (`closed`): a waiting round never starts, a running one
 * finishes without a follow-up.
 */

/** States of an extension's rounds. */
export type RunnerState = 'idle' | 'waiting' | 'running' | 'closed';

/** What a runner needs. */
export interface RunnerDeps {
  /** Quiet time after the last change before a round. */
  debounceMs: number;
  setTimeout(handler: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
  /** One round: build, then act on what changed. */
  round(): Promise<void>;
  /** A round threw (a bug, or the host went away while it ran). */
  onError(error: unknown): void;
}

/** The rounds of one extension (see the module comment). */
export class ExtensionRunner {
  #state: RunnerState = 'idle';
  #again = false;
  #timer: unknown;
  #idle: Array<() => void> = [];
  readonly #deps: RunnerDeps;

  constructor(deps: RunnerDeps) {
    this.#deps = deps;
  }

  get state(): RunnerState {
    return this.#state;
  }

  /** A file changed (or a rebuild was asked for). */
  changed(): void {
    if (this.#state === 'closed') return;
    if (this.#state === 'running') {
      this.#again = true;
      return;
    }
    if (this.#timer !== undefined) this.#deps.clearTimeout(this.#timer);
    this.#state = 'waiting';
    this.#timer = this.#deps.setTimeout(() => {
      this.#timer = undefined;
      void this.#run();
    }, this.#deps.debounceMs);
  }

  /** Resolves once the runner is idle (or closed). */
  idle(): Promise<void> {
    if (this.#state === 'idle' || this.#state === 'closed') return Promise.resolve();
    return new Promise((resolve) => this.#idle.push(resolve));
  }

  /** Stops for good (see the module comment). */
  close(): void {
    this.#state = 'closed';
    if (this.#timer !== undefined) this.#deps.clearTimeout(this.#timer);
    this.#timer = undefined;
    this.#settle();
  }

  /** The state, read fresh (not narrowed by an earlier assignment across an `await`). */
  #now(): RunnerState {
    return this.#state;
  }

  #settle(): void {
    for (const resolve of this.#idle.splice(0)) resolve();
  }

  async #run(): Promise<void> {
    if (this.#state !== 'waiting') return;
    this.#state = 'running';
    this.#again = false;
    try {
      await this.#deps.round();
    } catch (error) {
      this.#deps.onError(error);
    }
    if (this.#now() !== 'running') return;
    this.#state = 'idle';
    if (this.#again) this.changed();
    else this.#settle();
  }
}
