/** IPC messages between `remote-tabs.ts` (parent) and `tabs-child.ts`. Types only. */

/** Parent → child. */
export type TabsCommand =
  /** Open one tab per token against `url`, `lanes` handshakes at a time. */
  | { type: 'open'; url: string; tokens: readonly string[]; lanes: number }
  /** Every tab does `perTab` sequential round trips, all tabs at once. */
  | { type: 'run'; perTab: number }
  /** The first tab sends a one-way burst of `count` messages (`StackClient.burst`). */
  | { type: 'burst'; count: number }
  /** Close every tab, answer, then disconnect and exit. */
  | { type: 'close' };

/** Child → parent. */
export type TabsReply =
  | { type: 'ready' }
  | { type: 'opened'; count: number }
  /** Every round trip of a `run`, in ms. */
  | { type: 'result'; ms: number[] }
  /** Messages/s of a `burst`, as counted by the backend. */
  | { type: 'rate'; perSecond: number }
  | { type: 'closed' }
  | { type: 'error'; message: string };
