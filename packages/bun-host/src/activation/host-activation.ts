/**
 * Activation and hibernation as a host runs them (docs/operations.md): one `ActivationManager`,
 * the idle signals of each extension, the hooks each extension's runtime reports through, and the
 * frontend-side needs (a session mounting an extension wakes it; sessions leaving let it idle).
 */
import {
  type ExtensionActivationDTO,
  errorMessage,
  type FrontendUplink,
  type SpindleManifest,
} from '@spindle/types';
import type { Emitter } from 'mitt';
import type { FrontendGateway, FrontendGatewayEvents } from '../frontend/gateway.ts';
import type { HostLogEntry, SpindleHostEvents } from '../host-types.ts';
import type { ExtensionController } from '../runtime/controller.ts';
import type { ExtensionRuntime } from '../runtime/extension-runtime.ts';
import type { Timers } from '../runtime/types.ts';
import { type BusyReason, IdleSignals } from './idle.ts';
import { ActivationManager } from './manager.ts';
import type { ActivationSettings, ActivationTrigger, RuntimeActivationHooks } from './types.ts';

/** What the host's activation needs. */
export interface HostActivationOptions {
  settings?: ActivationSettings | undefined;
  timers?: Timers | undefined;
  gateway: FrontendGateway;
  /** Live processes of an extension (both kinds). */
  liveProcesses(extensionId: string): number;
  /** A line for the host log about an extension. */
  log(level: 'info' | 'warn' | 'error', extensionId: string, message: string): void;
}

interface Member {
  manifest: SpindleManifest;
  controller: ExtensionController;
  runtime: ExtensionRuntime;
  signals: IdleSignals;
  lastExitReason: string | undefined;
}

/** The host's activation: build it once, `attach` each extension's runtime. */
export class HostActivation {
  readonly manager: ActivationManager;
  readonly #o: HostActivationOptions;
  readonly #members = new Map<string, Member>();
  readonly #signals = new Map<string, IdleSignals>();
  readonly #onUplink: (event: FrontendGatewayEvents['uplink']) => void;
  readonly #onSessionGone: (session: FrontendGatewayEvents['session_closed']) => void;

  constructor(options: HostActivationOptions) {
    this.#o = options;
    this.manager = new ActivationManager({
      ...(options.settings ? { settings: options.settings } : {}),
      ...(options.timers ? { timers: options.timers } : {}),
    });
    this.#onUplink = ({ message }) => this.#uplink(message);
    this.#onSessionGone = (session) => {
      for (const id of session.mountedExtensions) this.manager.reevaluate(id);
    };
    options.gateway.events.on('uplink', this.#onUplink);
    options.gateway.events.on('session_closed', this.#onSessionGone);
    options.gateway.events.on('session_detached', this.#onSessionGone);
  }

  /** The hooks to hand to `createExtensionRuntime` for `id`. */
  hooks(id: string): RuntimeActivationHooks {
    const signals = new IdleSignals({
      sessionsMounting: () => this.#o.gateway.listSessions({ extensionId: id }).length,
      liveProcesses: () => this.#o.liveProcesses(id),
      activationEvents: () => this.manager.settingsOf(id)?.activationEvents ?? new Set(),
      onChange: () => this.manager.reevaluate(id),
    });
    this.#signals.set(id, signals);
    return {
      need: (trigger) => this.need(id, trigger),
      touch: () => this.manager.touch(id),
      activity: (timers, events) => signals.activity(timers, events),
      pending: (count) => signals.pending(count),
      processEvent: (_side, state) => {
        if (TERMINAL_PROCESS_STATES.has(state)) this.manager.reevaluate(id);
      },
      activationEvents: () => this.manager.settingsOf(id)?.activationEvents ?? new Set(),
    };
  }

  /** Registers (or, after a reload, replaces) an extension whose runtime was built with `hooks`. */
  attach(
    id: string,
    manifest: SpindleManifest,
    controller: ExtensionController,
    runtime: ExtensionRuntime,
  ): void {
    const signals = this.#signals.get(id);
    if (!signals) throw new Error(`[spindle] hooks(${id}) must come before attach`);
    this.#members.set(id, { manifest, controller, runtime, signals, lastExitReason: undefined });
    this.manager.add(
      {
        id,
        state: () => controller.state,
        start: () => controller.wake(),
        enable: () => controller.enable(),
        enableDormant: () => controller.enableDormant(),
        hibernate: (reason) => controller.hibernate(reason),
        busy: () => signals.busy(),
      },
      manifest,
    );
  }

  /** Forgets an extension (before a reload replaces it). */
  detach(id: string): void {
    this.manager.remove(id);
    this.#members.delete(id);
    this.#signals.delete(id);
  }

  /** Work for `id` arrived while it was `hibernated`: start it; refuse what waits if that fails. */
  need(id: string, trigger: ActivationTrigger): void {
    this.manager.ensure(id, trigger).catch((error: unknown) => {
      const why = errorMessage(error);
      this.#o.log('warn', id, `activation (${trigger}) failed: ${why}`);
      this.#members.get(id)?.runtime.activationFailed(why);
    });
  }

  /** The extension's runtime ended: what it reported no longer holds. */
  exited(id: string, reason: string): void {
    const member = this.#members.get(id);
    if (member) member.lastExitReason = reason;
    this.#signals.get(id)?.reset();
  }

  /** The extension changed state. */
  stateChanged(id: string): void {
    this.manager.reevaluate(id);
  }

  /** Why `id`'s runtime is awake (empty when idle). */
  busyReasons(id: string): BusyReason[] {
    return this.#signals.get(id)?.reasons() ?? [];
  }

  /** The activation sub-state of `id` for the wire. */
  describe(id: string): ExtensionActivationDTO | undefined {
    const settings = this.manager.settingsOf(id);
    if (!settings) return undefined;
    const member = this.#members.get(id);
    const last = member?.lastExitReason;
    return {
      policy: settings.policy,
      activating: this.manager.isActivating(id) && member?.controller.state !== 'running',
      ...(settings.idleAfterMs === undefined ? {} : { idleAfterMs: settings.idleAfterMs }),
      ...(last === undefined ? {} : { lastExitReason: last }),
    };
  }

  /** Re-emits the manager's activations and hibernations as host events and log lines. */
  report(events: Emitter<SpindleHostEvents>, log: (entry: HostLogEntry) => void): void {
    this.manager.events.on('activation', (event) => {
      events.emit('activation', event);
      if (event.outcome !== 'ok') return;
      log({
        level: 'info',
        extensionId: event.id,
        source: 'host',
        event: 'activation',
        message: `activated (${event.trigger}) in ${event.ms} ms`,
        data: { trigger: event.trigger, ms: event.ms },
      });
    });
    this.manager.events.on('hibernation', (event) => {
      events.emit('hibernation', event);
      log({
        level: 'info',
        extensionId: event.id,
        source: 'host',
        event: 'hibernation',
        message: `hibernated (${event.reason})`,
        data: { reason: event.reason },
      });
    });
  }

  /** Manifests of the attached extensions (config reloads re-resolve their settings). */
  manifestOf(id: string): SpindleManifest | undefined {
    return this.#members.get(id)?.manifest;
  }

  /** Stops listening and every timer; waiting activations fail with `HOST_CLOSING`. */
  close(): void {
    this.#o.gateway.events.off('uplink', this.#onUplink);
    this.#o.gateway.events.off('session_closed', this.#onSessionGone);
    this.#o.gateway.events.off('session_detached', this.#onSessionGone);
    this.manager.close();
  }

  #uplink(message: FrontendUplink): void {
    if (message.type === 'extension_mounted') {
      const member = this.#members.get(message.extensionId);
      if (!member) return;
      this.manager.touch(message.extensionId);
      if (member.controller.state === 'hibernated') this.need(message.extensionId, 'mount');
      else this.manager.reevaluate(message.extensionId);
    } else if (message.type === 'extension_unmounted') {
      this.manager.reevaluate(message.extensionId);
    }
  }
}

/** Process states after which a process no longer holds its runtime awake. */
const TERMINAL_PROCESS_STATES: ReadonlySet<string> = new Set([
  'stopped',
  'completed',
  'failed',
  'timed_out',
]);
