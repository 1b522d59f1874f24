/**
 * One load (one generation) of one extension on the driver side: its state, its startup gate,
 * its process drivers, its readiness, and its ordered unload. The code itself runs behind a
 * `RealmConnection` (this realm or a Worker).
 */
import {
  defaultHostDescriptor,
  type FrontendDownlink,
  type FrontendUplink,
  SpindleError,
  type SpindleErrorCode,
  type SpindleHostDescriptorV1,
} from '@spindle/types';
import { type DriverDeadlines, ProcessDriver, type UnresponsiveReason } from '../process/driver.ts';
import type { DriverToRealm } from '../process/protocol.ts';
import type { InactiveReason, RealmHostPort, SendOutcome } from '../realm/realm.ts';
import type { TimerHandle, Timers } from '../timers.ts';
import type {
  DropEvent,
  ExtensionHostEvents,
  ExtensionSnapshot,
  ExtensionState,
  IsolationMode,
} from './events.ts';
import { type GateItem, StartupGate } from './startup-gate.ts';

/** A bundle to load. */
export interface ExtensionBundle {
  /** The extension's manifest; `identifier` names it everywhere. */
  manifest: import('@spindle/types').SpindleManifest;
  /** URL of the ES module bundle. */
  url?: string;
  /** Source text of the ES module bundle (loaded through a `blob:` URL). */
  source?: string;
  /** Content hash; two bundles with the same hash are the same bundle. */
  hash?: string;
  /**
   * Permissions granted to the extension (from `ExtensionInfoDTO.grantedPermissions`); gated
   * contributions of the app read them. @default none
   */
  grantedPermissions?: string[];
  /**
   * The host descriptor for `ctx.host` (the host sends it in `ExtensionInfoDTO.host`).
   * @default a descriptor of this runtime's own capabilities (`defaultHostDescriptor`)
   */
  host?: SpindleHostDescriptorV1;
}

/** The code side of one load, whatever realm it lives in. */
export interface RealmConnection {
  /** Imports the bundle (under the import deadline, in a lane). */
  load(): Promise<void>;
  /** Runs `setup(ctx)`; rejects with `SETUP_FAILED`. */
  setup(): Promise<void>;
  deliver(message: DriverToRealm): void;
  backendMessage(payload: unknown): void;
  /** Teardown, subscriptions, DOM; idempotent. */
  dispose(reason?: InactiveReason): void;
  /** The frontend session changed (a new session after the old one was lost). */
  sessionChanged?(frontendSessionId: string | undefined): void;
}

/** Creates the realm connection of a load, given the port its realm calls. */
export type RealmConnector = (record: LoadRecord, port: RealmHostPort) => RealmConnection;

/** What records share with their host. */
export interface HostCore {
  readonly timers: Timers;
  readonly deadlines: DriverDeadlines;
  readonly readyTimeoutMs: number;
  readonly startupQueueLimit: number;
  uplink(message: FrontendUplink): SendOutcome;
  emit<K extends keyof ExtensionHostEvents>(type: K, event: ExtensionHostEvents[K]): void;
  drop(event: DropEvent): void;
  /** Live process drivers of every load, by process id. */
  readonly processes: Map<string, { driver: ProcessDriver; record: LoadRecord }>;
  isCurrent(record: LoadRecord): boolean;
  /** The transport's current frontend session id. */
  frontendSessionId(): string | undefined;
}

const STATE_TRANSITIONS: Record<ExtensionState, readonly ExtensionState[]> = {
  loading: ['mounted', 'ready', 'error', 'unloaded'],
  mounted: ['ready', 'error', 'unloaded'],
  ready: ['error', 'unloaded'],
  error: ['unloaded'],
  unloaded: [],
};

type Spawn = Extract<FrontendDownlink, { type: 'process_spawn' }>;

/** One generation of one extension. */
export class LoadRecord {
  state: ExtensionState = 'loading';
  error: string | undefined;
  code: SpindleErrorCode | undefined;
  connection: RealmConnection | undefined;
  readonly gate: StartupGate;
  readonly startedAt: number;
  private readonly drivers = new Map<string, ProcessDriver>();
  private deferred = false;
  private readyRequested = false;
  private announced = false;
  /** `extension_unmounted` was sent for this load: later uplinks of it are dropped. */
  private unmountAnnounced = false;
  /**
   * `sendToBackend` calls made before the mount was announced (during `setup`). The host refuses
   * a backend message of an extension a session has not mounted, so they wait for
   * `extension_mounted` and follow it in order.
   */
  private readonly early: unknown[] = [];
  private readyTimer: TimerHandle | undefined;
  private cancelSignal!: () => void;
  /** Resolves when this load is superseded or unloaded. */
  readonly cancelled: Promise<'cancelled'>;
  private settle!: (snapshot: ExtensionSnapshot) => void;
  /** Resolves once this load is mounted/ready, failed, or gone. Never rejects. */
  readonly settled: Promise<ExtensionSnapshot>;
  /** Set by the isolation layer when the worker is killed. */
  onUnresponsive: ((reason: UnresponsiveReason) => void) | undefined;

  constructor(
    readonly bundle: ExtensionBundle,
    readonly generation: number,
    readonly isolation: IsolationMode,
    private readonly core: HostCore,
  ) {
    this.startedAt = core.timers.now();
    this.cancelled = new Promise((resolve) => {
      this.cancelSignal = () => resolve('cancelled');
    });
    this.settled = new Promise((resolve) => {
      this.settle = resolve;
    });
    this.gate = new StartupGate(
      core.startupQueueLimit,
      (item) => this.deliverNow(item),
      // A held spawn withdrawn before it started: no handler side to wait for.
      (processId) => this.port().process({ type: 'ended', processId }),
    );
  }

  /** Extension identifier. */
  get extensionId(): string {
    return this.bundle.manifest.identifier;
  }

  /** `ctx.host` of this load. */
  get host(): SpindleHostDescriptorV1 {
    return this.bundle.host ?? defaultHostDescriptor(this.extensionId);
  }

  /** `ctx.frontendSessionId` of this load (read live). */
  get frontendSessionId(): string | undefined {
    return this.core.frontendSessionId();
  }

  /** Snapshot for listings and events. */
  snapshot(): ExtensionSnapshot {
    const out: ExtensionSnapshot = {
      extensionId: this.extensionId,
      generation: this.generation,
      state: this.state,
      isolation: this.isolation,
    };
    if (this.error !== undefined) out.error = this.error;
    if (this.code !== undefined) out.code = this.code;
    return out;
  }

  /** Makes every pending await of this load give up. */
  cancel(): void {
    this.cancelSignal();
  }

  /** The port the realm of this load calls. */
  port(): RealmHostPort {
    return {
      sendToBackend: (payload) => {
        // Once `extension_unmounted` went out, nothing of this load may follow it (a worker
        // realm runs process cleanups after the unload began): drop and report instead.
        if (this.unmountAnnounced) {
          this.dropSend(payload, 'not_loaded');
          return 'dropped';
        }
        if (!this.announced) {
          if (this.early.length >= this.core.startupQueueLimit) {
            this.dropSend(payload, 'startup_queue_full');
            return 'dropped';
          }
          this.early.push(payload);
          return 'queued';
        }
        return this.core.uplink({
          type: 'backend_message',
          extensionId: this.extensionId,
          payload,
        });
      },
      ready: () => {
        if (this.state === 'loading') this.readyRequested = true;
        else this.markReady(false);
      },
      deferReady: () => {
        if (this.state === 'loading') this.deferred = true;
      },
      process: (message) => {
        const driver = this.drivers.get(message.processId);
        if (driver !== undefined) {
          driver.receive(message);
          // An ended driver stays until its handler side has acknowledged the end.
          if (driver.ended && !driver.awaitingEndAck) this.drivers.delete(message.processId);
          return;
        }
        // The driver is gone once the process ended; what still arrives is reported here.
        const { processId } = message;
        if (message.type === 'cleanup_error') {
          this.core.emit('error', {
            extensionId: this.extensionId,
            processId,
            phase: 'process_cleanup',
            message: message.error,
          });
        } else if (message.type === 'message' || message.type === 'dropped') {
          const direction = message.type === 'dropped' ? message.direction : 'out';
          this.core.drop({
            what: 'process_message',
            reason: 'process_ended',
            direction,
            extensionId: this.extensionId,
            processId,
          });
        }
      },
      reportError: (phase, message) =>
        this.core.emit('error', { extensionId: this.extensionId, phase, message }),
    };
  }

  /** `setup` finished: announce the mount and become ready unless deferred. */
  mounted(): void {
    this.transition('mounted');
    this.announced = true;
    this.core.uplink({ type: 'extension_mounted', extensionId: this.extensionId });
    for (const payload of this.early.splice(0)) {
      this.core.uplink({ type: 'backend_message', extensionId: this.extensionId, payload });
    }
    if (this.readyRequested || !this.deferred) {
      this.markReady(false);
      return;
    }
    this.readyTimer = this.core.timers.setTimeout(() => {
      this.readyTimer = undefined;
      this.markReady(true);
    }, this.core.readyTimeoutMs);
    this.settle(this.snapshot());
  }

  /** True when a mount was announced to the host (so a re-announce applies). */
  get isAnnounced(): boolean {
    return this.announced && (this.state === 'mounted' || this.state === 'ready');
  }

  /** Ends this load in `error`, leaving nothing behind. */
  fail(error: unknown): void {
    if (this.state === 'unloaded' || this.state === 'error') return;
    this.error = error instanceof Error ? error.message : String(error);
    this.code = error instanceof SpindleError ? error.code : 'INTERNAL';
    this.teardown('failed');
    this.transition('error');
  }

  /** Ordered unload: processes, teardown, subscriptions, DOM; idempotent. */
  unload(): void {
    if (this.state === 'unloaded') return;
    this.cancel();
    this.teardown('unloaded');
    this.transition('unloaded');
  }

  /** A `backend_message` for this extension. */
  backendMessage(payload: unknown): void {
    if (this.state === 'error' || this.state === 'unloaded') {
      this.dropBackendMessage('not_loaded');
      return;
    }
    if (!this.gate.push({ type: 'backend_message', payload })) {
      this.dropBackendMessage('startup_queue_full');
    }
  }

  /** A `process_spawn` for this extension. */
  spawn(message: Spawn): void {
    const { processId } = message;
    const driver = new ProcessDriver(
      {
        extensionId: this.extensionId,
        processId,
        kind: message.kind,
        ...(message.key === undefined ? {} : { key: message.key }),
        ...(message.payload === undefined ? {} : { payload: message.payload }),
        ...(message.metadata === undefined ? {} : { metadata: message.metadata }),
        startupTimeoutMs: message.startupTimeoutMs,
        heartbeatTimeoutMs: message.heartbeatTimeoutMs,
      },
      {
        timers: this.core.timers,
        // In a worker the SDK owns the kill switch, so it watches heartbeats itself.
        deadlines:
          this.isolation === 'worker'
            ? { ...this.core.deadlines, enforceHeartbeat: true }
            : this.core.deadlines,
        uplink: (out) => this.core.uplink(out),
        post: (out) => {
          if (out.type === 'spawn' || out.type === 'message') {
            if (!this.gate.push({ type: 'realm', message: out })) {
              if (out.type === 'spawn') {
                driver.failLocally(
                  `[spindle] startup queue of extension ${this.extensionId} is full (${this.core.startupQueueLimit}); process ${processId} refused`,
                );
              } else {
                this.core.drop({
                  what: 'process_message',
                  reason: 'startup_queue_full',
                  direction: 'in',
                  extensionId: this.extensionId,
                  processId,
                });
              }
            }
          } else {
            this.gate.push({ type: 'realm', message: out });
          }
        },
        onChange: (info, previousState) => {
          this.core.emit(
            'process',
            previousState === undefined ? { info } : { info, previousState },
          );
          if (driver.ended) {
            const entry = this.core.processes.get(processId);
            if (entry?.driver === driver) this.core.processes.delete(processId);
          }
        },
        onDrop: (direction) =>
          this.core.drop({
            what: 'process_message',
            reason: 'process_ended',
            direction,
            extensionId: this.extensionId,
            processId,
          }),
        onCleanupError: (error) =>
          this.core.emit('error', {
            extensionId: this.extensionId,
            processId,
            phase: 'process_cleanup',
            message: error,
          }),
        ...(this.onUnresponsive ? { onUnresponsive: this.onUnresponsive } : {}),
      },
    );
    this.drivers.set(processId, driver);
    this.core.processes.set(processId, { driver, record: this });
    driver.start();
  }

  private markReady(timedOut: boolean): void {
    if (this.state !== 'mounted' && this.state !== 'loading') return;
    if (this.readyTimer !== undefined) {
      this.core.timers.clearTimeout(this.readyTimer);
      this.readyTimer = undefined;
    }
    this.transition('ready', timedOut ? { readyTimedOut: true } : {});
    this.settle(this.snapshot());
    this.gate.release();
  }

  private deliverNow(item: GateItem): void {
    if (this.connection === undefined) return;
    if (item.type === 'backend_message') this.connection.backendMessage(item.payload);
    else this.connection.deliver(item.message);
  }

  private teardown(reason: InactiveReason): void {
    if (this.readyTimer !== undefined) {
      this.core.timers.clearTimeout(this.readyTimer);
      this.readyTimer = undefined;
    }
    // Processes first, while the realm can still run their cleanups.
    for (const driver of [...this.drivers.values()]) driver.unload();
    for (const item of this.gate.close()) {
      if (item.type === 'backend_message') this.dropBackendMessage('not_loaded');
    }
    for (const payload of this.early.splice(0)) this.dropSend(payload, 'not_loaded');
    this.connection?.dispose(reason);
    this.drivers.clear();
    if (this.announced) {
      this.announced = false;
      this.unmountAnnounced = true;
      this.core.uplink({ type: 'extension_unmounted', extensionId: this.extensionId });
    }
  }

  /** A `sendToBackend` of this load that never went out (not mounted, unmounted, or held too many). */
  private dropSend(payload: unknown, reason: DropEvent['reason']): void {
    this.core.drop({
      what: 'uplink',
      reason,
      direction: 'out',
      extensionId: this.extensionId,
      message: { type: 'backend_message', extensionId: this.extensionId, payload },
    });
  }

  private dropBackendMessage(reason: DropEvent['reason']): void {
    this.core.drop({
      what: 'backend_message',
      reason,
      direction: 'in',
      extensionId: this.extensionId,
    });
  }

  private transition(next: ExtensionState, extra: { readyTimedOut?: boolean } = {}): void {
    const previousState = this.state;
    if (!STATE_TRANSITIONS[previousState].includes(next)) {
      throw new Error(
        `[spindle] extension ${this.extensionId}: no transition ${previousState} → ${next}`,
      );
    }
    this.state = next;
    this.core.emit('state', { ...this.snapshot(), previousState, ...extra });
    if (next === 'error' || next === 'unloaded') this.settle(this.snapshot());
  }
}
