/**
 * What the test page puts on `window.spindleTest`: the real SDK on a memory transport, with the
 * host's end of the transport left to the test (it plays the server through `send`).
 */
import type {
  ExtensionErrorEvent,
  ExtensionHost,
  ExtensionSnapshot,
  ExtensionStateEvent,
  IsolationMode,
  LocalProcessInfo,
  ProcessEvent,
} from '@spindle/frontend-sdk';
import type { FrontendDownlink, FrontendUplink } from '@spindle/types';

/** One click on the page's counter button, with what the SDK said at that moment. */
export interface ClickRecord {
  count: number;
  /** States of the live frontend processes when the click was handled. */
  processStates: string[];
}

/** A Worker the SDK created, seen from the page. */
export interface WorkerRecord {
  /** `terminate()` was called on it. */
  terminated: boolean;
}

/** The page's test surface. */
export interface PageApi {
  host: ExtensionHost;
  /** Starts a load (returns the snapshot `load` returned at once). */
  load(
    id: string,
    bundle: { url?: string; source?: string },
    isolation?: IsolationMode,
  ): ExtensionSnapshot & { noop: boolean };
  /** Resolves with the snapshot once the latest load of `id` settled. */
  settled(id: string): Promise<ExtensionSnapshot>;
  /** Plays the host: delivers a downlink to the SDK. */
  send(message: FrontendDownlink): void;
  /** Every uplink the SDK sent, in order (copies). */
  uplinks(): FrontendUplink[];
  states: ExtensionStateEvent[];
  processEvents: ProcessEvent[];
  errors: ExtensionErrorEvent[];
  workers: WorkerRecord[];
  clicks: ClickRecord[];
  processes(): LocalProcessInfo[];
  /** Elements in the document that `ctx.dom` of `id` created. */
  ownedElements(id: string): number;
}

declare global {
  interface Window {
    spindleTest: PageApi;
  }
}
