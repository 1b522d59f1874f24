/**
 * The Worker boundary of worker isolation, carried by comlink. The worker exposes
 * `WorkerRealmApi`; the main thread hands it a proxied `RealmHostPort` in `init`. Results carry
 * a `SerializedError` rather than throwing, so error codes survive the boundary.
 */
import type { SerializedError, SpindleHostDescriptorV1, SpindleManifest } from '@spindle/types';
import type { DriverToRealm } from '../process/protocol.ts';
import type { InactiveReason, RealmHostPort } from '../realm/realm.ts';

/** Outcome of a step that may fail. */
export type WorkerResult = { ok: true } | { ok: false; error: SerializedError };

/** What a worker realm knows of where it runs. */
export interface WorkerRealmIdentity {
  host: SpindleHostDescriptorV1;
  frontendSessionId: string | undefined;
}

/** What the worker side offers the main thread. */
export interface WorkerRealmApi {
  /**
   * Creates the realm (without DOM) whose `ctx` calls go to `port` on the main thread, with
   * `ctx.host` and the current `ctx.frontendSessionId`.
   */
  init(port: RealmHostPort, manifest: SpindleManifest, identity?: WorkerRealmIdentity): void;
  /** The frontend session changed (`ctx.frontendSessionId`). */
  setFrontendSessionId(frontendSessionId: string | undefined): void;
  /** Imports the bundle inside the worker. */
  load(bundle: { url?: string; source?: string }): Promise<WorkerResult>;
  /** Runs `setup(ctx)` of the imported bundle. */
  setup(): Promise<WorkerResult>;
  /** A driver message for a process of this realm. */
  deliver(message: DriverToRealm): void;
  /** A backend message for the `onBackendMessage` handlers. */
  backendMessage(payload: unknown): void;
  /** Teardown, subscriptions; the main thread terminates the worker afterwards. */
  dispose(reason?: InactiveReason): void;
}
