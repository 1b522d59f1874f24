/**
 * Shapes of activation and hibernation (docs/operations.md, "Activation and hibernation"): the
 * settings an operator gives, what the manager needs of one extension, and what it reports.
 */
import type { ActivationPolicy, ExtensionStateDTO } from '@spindle/types';

/** What started (or asked to start) a runtime. */
export type ActivationTrigger =
  /** `enable` of an eager extension (at start-up, by the API or the admin routes). */
  | 'enable'
  /** A frontend session mounted the extension. */
  | 'mount'
  /** A frontend message for it. */
  | 'message'
  /** A process spawn for it (`host.spawnProcess`). */
  | 'spawn'
  /** An app event it lists in `activationEvents`. */
  | 'event'
  /** The operator (`host.wake`, `POST …/wake`). */
  | 'admin';

/**
 * Why a runtime was hibernated (its exit reason). `idle`: idle for `idleAfterMs`; `evicted`: the
 * least recently used idle runtime, stopped to make room at `maxActiveRuntimes`; `hibernated`:
 * the operator asked.
 */
export type HibernationReason = 'idle' | 'evicted' | 'hibernated';

/** Per-extension settings of the operator (config file `extensions.<id>`). */
export interface ExtensionActivationSettings {
  /** Overrides the manifest's `activation` and the host default. */
  activation?: ActivationPolicy;
  /** Idle time before hibernation, `false` for never. @default the host's `idleAfterMs` */
  idleAfterMs?: number | false;
  /** Never hibernate (the operator's word over the manifest's). */
  keepAlive?: boolean;
}

/** Host-wide activation settings (`SpindleHostOptions.activation`, config file `activation`). */
export interface ActivationSettings {
  /** Policy of extensions whose manifest and settings say nothing. @default "eager" */
  defaultPolicy?: ActivationPolicy;
  /**
   * Idle time after which a runtime hibernates (exit reason `idle`); absent: never, as upstream
   * runtimes are always on. @default undefined
   */
  idleAfterMs?: number;
  /**
   * Runtimes running at once. At the cap, a new activation hibernates the least recently used
   * idle one (`evicted`); when none is idle it waits up to `capacityWaitMs`, then fails with
   * `CAPACITY_EXCEEDED`. An `enable` at the cap never evicts: the extension stays `hibernated`
   * until a need wakes it. @default Infinity
   */
  maxActiveRuntimes?: number;
  /** How long an activation waits for room at the cap. @default 10000 */
  capacityWaitMs?: number;
  /** Activations waiting for room at once; one more fails at once. @default 256 */
  maxCapacityWaiters?: number;
  /** Per extension identifier. @default {} */
  extensions?: Record<string, ExtensionActivationSettings>;
}

/** Resolved settings of one extension. */
export interface ResolvedExtensionActivation {
  policy: ActivationPolicy;
  /** `undefined`: never hibernates when idle. */
  idleAfterMs: number | undefined;
  keepAlive: boolean;
  /** App events that wake it (its manifest's `activationEvents`). */
  activationEvents: ReadonlySet<string>;
}

/** One extension as the manager drives it (its controller and its idleness). */
export interface ActivationUnit {
  readonly id: string;
  /** Current state of its controller. */
  state(): ExtensionStateDTO;
  /** Starts the runtime of a `hibernated` unit; resolves once it runs or failed to start. */
  start(): Promise<void>;
  /** Enables a `disabled`, `failed` or `crashed` unit and starts its runtime (eager enable). */
  enable(): Promise<void>;
  /** Enables it without starting its runtime: `hibernated` (lazy enable, or no room). */
  enableDormant(): Promise<void>;
  /** Stops a running runtime and leaves it `hibernated`; false when it was not running. */
  hibernate(reason: HibernationReason): Promise<boolean>;
  /** True while something holds it awake (see `idle.ts`). */
  busy(): boolean;
}

/** What the manager reports (metrics, logs). */
export type ActivationEvents = {
  /** An activation ended: `ok` once running, else the error's code. */
  activation: { id: string; trigger: ActivationTrigger; outcome: string; ms: number };
  /** A running runtime was hibernated. */
  hibernation: { id: string; reason: HibernationReason };
  /** An activation began waiting for room at the cap, or stopped waiting. */
  waiters: { count: number };
};

/** How a runtime reports to the host's activation manager (docs/operations.md). */
export interface RuntimeActivationHooks {
  /** Work for a `hibernated` runtime arrived: start it. */
  need(trigger: ActivationTrigger): void;
  /** Traffic reached the running runtime (LRU order, idle clock). */
  touch(): void;
  /** The runtime's own `activity` report. */
  activity(timers: number, events: string[]): void;
  /** Requests of the runtime being handled by the host now. */
  pending(count: number): void;
  /** A process of the extension changed state (its lifecycle event; a new one has no previous state). */
  processEvent(
    side: 'frontend' | 'backend',
    state: string,
    exitReason: string | undefined,
    previousState: string | undefined,
  ): void;
  /** App events that wake the extension (its `activationEvents`). */
  activationEvents(): ReadonlySet<string>;
}

/** Default `capacityWaitMs`. */
export const DEFAULT_CAPACITY_WAIT_MS = 10_000;
/** Default `maxCapacityWaiters`. */
export const DEFAULT_MAX_CAPACITY_WAITERS = 256;
