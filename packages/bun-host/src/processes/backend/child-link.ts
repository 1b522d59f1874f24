/**
 * Host side of one backend process child: the Bun subprocess, its IPC channel, its output, and
 * the `ProcessDriver` the state machine drives. Every inbound message is unbranded and validated
 * before it reaches the machine; the exit event is reported, the machine decides what it means.
 */
import type { BackendProcessRuntimeInit, HostToBackendProcess } from '@spindle/types';
import { readLines } from '../../runtime/lines.ts';
import { type LaunchPlan, spawnPlanned } from '../../sandbox/index.ts';
import { validateBackendProcessToHost } from '../contracts.ts';
import type {
  ProcessDriver,
  ProcessMachine,
  SupervisorTimers,
  TimerHandle,
} from '../machine/index.ts';
import { OutputTail } from './output-tail.ts';
import { brandMessage, INIT_ENV, INIT_ENV_MAX_BYTES, unbrandMessage } from './wire.ts';

/** What a `ChildLink` is started with. */
export interface ChildLinkOptions {
  machine: ProcessMachine;
  init: BackendProcessRuntimeInit;
  plan: LaunchPlan;
  cwd: string;
  timers: SupervisorTimers;
  /** Malformed messages tolerated before the process is failed. @default 16 */
  maxMalformedMessages: number;
  /** After its terminal message, how long the child may take to exit by itself. @default 2000 */
  terminalLingerMs: number;
  /** A valid `message` from a live child. */
  onMessage(payload: unknown): void;
  log(level: 'info' | 'warn' | 'error', message: string, stream?: 'stdout' | 'stderr'): void;
}

/** How long the pipes may take to drain after the exit before the tail is reported. */
const OUTPUT_DRAIN_MS = 200;

/** One running child. Created inside `ProcessMachine.start`; `exited` resolves once it is reaped. */
export class ChildLink implements ProcessDriver {
  readonly pid: number;
  /** Resolves when the OS process is gone (and reaped) and the machine was told. */
  readonly exited: Promise<void>;
  /** Malformed messages received so far. */
  malformed = 0;

  readonly #opts: ChildLinkOptions;
  readonly #child: Bun.Subprocess<'ignore', 'pipe', 'pipe'>;
  readonly #tail = new OutputTail();
  #reaped = false;
  #sawTerminalMessage = false;
  #lingerTimer: TimerHandle | undefined;

  constructor(options: ChildLinkOptions) {
    this.#opts = options;
    // Small enough: `init` rides in the environment and the child starts without waiting.
    const initJson = JSON.stringify(options.init);
    const inEnv = initJson.length <= INIT_ENV_MAX_BYTES;
    // Its own process group and cgroup, as the plan's user (see `spawnPlanned`).
    this.#child = spawnPlanned(options.plan, {
      env: inEnv ? { ...options.plan.env, [INIT_ENV]: initJson } : options.plan.env,
      cwd: options.cwd,
      stdin: 'ignore',
      stdout: 'pipe',
      stderr: 'pipe',
      serialization: 'json',
      ipc: (message) => this.#receive(message),
    });
    this.pid = this.#child.pid;
    const stdoutDone = readLines(this.#child.stdout, (line) => options.log('info', line, 'stdout'));
    const stderrDone = readLines(this.#child.stderr, (line) => {
      this.#tail.push(line);
      options.log('warn', line, 'stderr');
    });
    this.exited = this.#child.exited.then(async (code) => {
      this.#reaped = true;
      this.#clearLinger();
      let drainTimer: TimerHandle | undefined;
      await Promise.race([
        Promise.all([stdoutDone, stderrDone]),
        new Promise<void>((resolve) => {
          drainTimer = options.timers.setTimeout(resolve, OUTPUT_DRAIN_MS);
        }),
      ]);
      options.timers.clearTimeout(drainTimer);
      const signal = this.#child.signalCode ?? null;
      options.machine.exited({
        exitCode: signal === null ? code : null,
        signal: signal === null ? null : String(signal),
        stderrTail: this.#tail.toString(),
      });
    });
    if (!inEnv) this.#post({ type: 'init', process: options.init });
  }

  /** The last ~4 KiB of stderr. */
  stderrTail(): string {
    return this.#tail.toString();
  }

  /** Sends a `message` to the child; false (and counted) when the process has ended. */
  send(payload: unknown): boolean {
    if (!this.#opts.machine.acceptToProcess()) return false;
    return this.#post({ type: 'message', payload });
  }

  requestStop(reason: string | undefined): void {
    this.#post(reason === undefined ? { type: 'stop' } : { type: 'stop', reason });
  }

  kill(): void {
    // A child that already sent its last word is exiting by itself; give it a moment to flush.
    if (this.#sawTerminalMessage && this.#opts.terminalLingerMs > 0) {
      this.#lingerTimer = this.#opts.timers.setTimeout(() => {
        this.#lingerTimer = undefined;
        this.#signal();
      }, this.#opts.terminalLingerMs);
      return;
    }
    this.#signal();
  }

  dispose(): void {
    // Nothing to detach: late messages still reach the machine, which drops and counts them.
  }

  #signal(): void {
    // A reaped pid may already belong to someone else.
    if (this.#reaped) return;
    try {
      process.kill(-this.pid, 'SIGKILL');
    } catch {
      try {
        this.#child.kill('SIGKILL');
      } catch {
        // Already gone.
      }
    }
  }

  #clearLinger(): void {
    if (this.#lingerTimer !== undefined) this.#opts.timers.clearTimeout(this.#lingerTimer);
    this.#lingerTimer = undefined;
  }

  #post(message: HostToBackendProcess): boolean {
    if (this.#reaped) return false;
    try {
      this.#child.send(brandMessage(message));
      return true;
    } catch (error) {
      this.#opts.log('warn', `cannot send ${message.type} to the child: ${String(error)}`);
      return false;
    }
  }

  #receive(raw: unknown): void {
    const machine = this.#opts.machine;
    const unbranded = unbrandMessage(raw);
    const result = unbranded.ok
      ? validateBackendProcessToHost(unbranded.value)
      : { ok: false as const, error: { message: unbranded.reason } };
    if (!result.ok) {
      this.#malformed(result.error.message);
      return;
    }
    const message = result.value;
    switch (message.type) {
      case 'ready':
        machine.ready();
        return;
      case 'heartbeat':
        machine.heartbeat();
        return;
      case 'message':
        if (machine.acceptFromProcess()) this.#opts.onMessage(message.payload);
        return;
      case 'complete':
        this.#sawTerminalMessage = true;
        machine.complete();
        return;
      case 'fail':
        this.#sawTerminalMessage = true;
        machine.fail(message.error);
        return;
      case 'stopped':
        this.#sawTerminalMessage = true;
        machine.stopped();
        return;
    }
  }

  #malformed(reason: string): void {
    this.malformed += 1;
    const max = this.#opts.maxMalformedMessages;
    this.#opts.log(
      'warn',
      `malformed message from the child (${this.malformed}/${max}): ${reason}`,
    );
    if (this.malformed >= max && !this.#opts.machine.isTerminal) {
      this.#opts.machine.fail(`sent ${this.malformed} malformed messages`);
    }
  }
}
