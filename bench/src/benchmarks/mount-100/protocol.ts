/**
 * What the benchmark process and the mount page exchange (types only).
 */

/** One bundle to load. */
export interface MountBundle {
  id: string;
  url: string;
}

/** Arguments of `window.mountBench.run`. */
export interface MountRequest {
  /** Loaded in this order, all at once. */
  bundles: MountBundle[];
  /** Ids whose mount ends the measurement. */
  healthy: string[];
  /** Bound on the whole run inside the page. */
  timeoutMs: number;
}

/** What one run measured. */
export interface MountResult {
  /** First `load()` call → the last healthy bundle `mounted`. */
  allHealthyMs: number;
  /**
   * Longest `longtask` entry overlapping the mount; 0 when there was none (the browser reports
   * only tasks longer than 50 ms).
   */
  longestTaskMs: number;
  /** Number of long tasks in that window. */
  longTasks: number;
  /** Extension state of every id at the end of the run. */
  states: Record<string, string>;
}

declare global {
  interface Window {
    mountBench: { run(request: MountRequest): Promise<MountResult> };
  }
}
