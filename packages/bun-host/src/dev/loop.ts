/**
 * `startDevLoop`: watches the extensions of a running host and keeps them current while it
 * runs. On a change it rebuilds the extension (`runner.ts`), then restarts only that extension's
 * runtime when its backend changed (sessions stay connected; other extensions are not touched),
 * or, when only its frontend changed, announces the extension to every session (an
 * `extension_state` downlink with the new versioned `frontendUrl`), on which the app reloads
 * that one frontend. A build error is reported and the previous version keeps running. A changed
 * `spindle.json` is validated, then applied with `host.reload` (the extension alone restarts on
 * its new manifest and bundles); an invalid one is reported and the running version is kept.
 */
import { join } from 'node:path';
import { errorMessage, SpindleError, type SpindleManifest } from '@spindle/types';
import mitt, { type Emitter } from 'mitt';
import { type HostExtensionInfo, type SpindleHost, toExtensionInfoDTO } from '../host.ts';
import { realTimers, type Timers } from '../runtime/types.ts';
import {
  type BuildExtensionOptions,
  buildExtension,
  type ExtensionBuildResult,
  formatProblem,
} from './build.ts';
import { createDevLogger, type DevLogger } from './log.ts';
import { changedParts, fingerprintOutputs, type OutputFingerprints } from './outputs.ts';
import { ExtensionRunner } from './runner.ts';
import { planExtensionBuild, readManifest } from './sources.ts';
import { type FolderWatchers, watchFolders, watchTargets } from './watch.ts';

/** Options of `startDevLoop`. */
export interface DevLoopOptions {
  /** The running host whose extensions are watched. */
  host: SpindleHost;
  /** Identifiers to watch. @default every extension with a valid manifest */
  extensions?: string[];
  /** Where the loop reports. @default createDevLogger() */
  logger?: DevLogger;
  /** Quiet time after the last change before a rebuild. @default 60 */
  debounceMs?: number;
  /** Build options. @default { sourcemap: 'inline', nodeEnv: 'development' } */
  build?: Omit<BuildExtensionOptions, 'manifest'>;
  /** Timers of the debounce. @default the global timers */
  timers?: Timers;
}

/** Events of a dev loop, one per round (after its action). */
export type DevLoopEvents = {
  /** A build failed; nothing was written, the previous version runs on. */
  build_failed: { extensionId: string; build: ExtensionBuildResult };
  /** The backend changed and the runtime was restarted. */
  restarted: { extensionId: string; info: HostExtensionInfo };
  /**
   * The frontend alone changed and `sessions` sessions were told (an `extension_state` downlink,
   * whose `frontendUrl` the server sets to the new bundle's versioned URL).
   */
  reloaded: { extensionId: string; sessions: number };
  /** A round changed nothing. */
  unchanged: { extensionId: string };
  /**
   * `spindle.json` changed. `applied`: it was valid and the extension was reloaded on it (`info`
   * after the reload); otherwise `error` says why and the running version was kept.
   */
  manifest_changed:
    | { extensionId: string; applied: true; info: HostExtensionInfo }
    | { extensionId: string; applied: false; error: string };
};

/** A running dev loop. */
export interface DevLoop {
  readonly events: Emitter<DevLoopEvents>;
  /** The watched identifiers. */
  readonly extensions: readonly string[];
  /** Resolves once no extension has a change waiting or being built. */
  idle(): Promise<void>;
  /** Rebuilds `extensionId` as if a file changed; resolves when that round is done. */
  rebuild(extensionId: string): Promise<void>;
  /** Stops watching (the host keeps running). */
  close(): void;
}

const DEFAULT_BUILD = { sourcemap: 'inline', nodeEnv: 'development' } as const;

function changedList(build: ExtensionBuildResult): string {
  const parts = build.entries.filter((e) => e.changed).map((e) => e.output);
  return parts.length === 0 ? 'nothing changed' : parts.join(', ');
}

/** One round's findings. */
interface RoundOutcome {
  /** The build (absent for an extension without sources). */
  build?: ExtensionBuildResult;
  ok: boolean;
  changed: { frontend: boolean; backend: boolean };
}

/** A watched extension. */
interface Watched {
  id: string;
  /** Real path of its folder. */
  dir: string;
  manifest: SpindleManifest;
  runner: ExtensionRunner;
  watchers?: FolderWatchers;
  /** Fingerprints of the outputs of an extension without sources. */
  outputs?: OutputFingerprints;
  hasSources: boolean;
  /** `spindle.json` changed since the last round. */
  manifestChanged?: boolean;
}

/** Starts the loop (see the module comment); resolves once every extension is watched. */
export async function startDevLoop(options: DevLoopOptions): Promise<DevLoop> {
  const { host } = options;
  const logger = options.logger ?? createDevLogger();
  const timers = options.timers ?? realTimers;
  const buildOptions = options.build ?? DEFAULT_BUILD;
  const events = mitt<DevLoopEvents>();
  const watched = new Map<string, Watched>();
  const say = (id: string, message: string) => logger.line('info', id, message);
  const warn = (id: string, message: string) => logger.line('warn', id, message);
  const fail = (id: string, message: string) => logger.line('error', id, message);

  const restart = async (id: string): Promise<void> => {
    const info = host.get(id);
    if (!info || info.state === 'disabled') {
      say(id, 'backend changed; the extension is disabled, so nothing restarts');
      events.emit('unchanged', { extensionId: id });
      return;
    }
    say(id, 'backend changed: restarting its runtime');
    const started = timers.now();
    let after: HostExtensionInfo;
    try {
      after = await host.restart(id);
    } catch (error) {
      fail(id, `restart failed: ${errorMessage(error)}`);
      return;
    }
    if (after.state === 'running') {
      say(id, `running again in ${timers.now() - started} ms (pid ${after.pid ?? '?'})`);
    } else {
      fail(id, `restarted but ${after.state}${after.error ? `: ${after.error}` : ''}`);
    }
    events.emit('restarted', { extensionId: id, info: after });
  };

  const announce = (id: string): void => {
    const info = host.get(id);
    const dto = info ? toExtensionInfoDTO(info) : undefined;
    const sessions = dto
      ? host.frontendGateway.broadcast({ type: 'extension_state', extension: dto })
      : 0;
    say(id, `frontend changed: reloading it in ${sessions} connected session(s)`);
    events.emit('reloaded', { extensionId: id, sessions });
  };

  /** Applies a changed manifest (and what the round built) by reloading the extension. */
  const reload = async (id: string): Promise<void> => {
    say(id, 'spindle.json changed: reloading the extension');
    let after: HostExtensionInfo;
    try {
      after = await host.reload(id);
    } catch (error) {
      const why = errorMessage(error);
      fail(id, `reload failed; the previous version keeps running: ${why}`);
      events.emit('manifest_changed', { extensionId: id, applied: false, error: why });
      return;
    }
    if (after.state === 'running' || after.state === 'disabled' || after.state === 'hibernated') {
      say(id, `reloaded: version ${after.manifest?.version ?? '?'}, ${after.state}`);
    } else {
      fail(id, `reloaded but ${after.state}${after.error ? `: ${after.error}` : ''}`);
    }
    events.emit('manifest_changed', { extensionId: id, applied: true, info: after });
  };

  const act = async (id: string, outcome: RoundOutcome, manifestChanged: boolean) => {
    const build = outcome.build;
    for (const warning of build?.warnings ?? []) warn(id, formatProblem(warning, build?.dir));
    if (!outcome.ok && build) {
      fail(id, 'build failed; the previous version keeps running:');
      for (const error of build.errors) fail(id, `  ${formatProblem(error, build.dir)}`);
      events.emit('build_failed', { extensionId: id, build });
      return;
    }
    if (build) say(id, `built in ${Math.round(build.durationMs)} ms: ${changedList(build)}`);
    if (manifestChanged) await reload(id);
    else if (outcome.changed.backend) await restart(id);
    else if (outcome.changed.frontend) announce(id);
    else events.emit('unchanged', { extensionId: id });
  };

  const onFileChanged = (ext: Watched, path: string) => {
    if (path === join(ext.dir, 'spindle.json')) ext.manifestChanged = true;
    ext.runner.changed();
  };

  const rewatch = (ext: Watched, inputs: string[]) => {
    const outputs = [ext.manifest.entry_frontend, ext.manifest.entry_backend].filter(
      (o): o is string => o !== undefined,
    );
    const targets = watchTargets(ext.dir, { hasSources: ext.hasSources, inputs, outputs });
    if (ext.watchers) ext.watchers.update(targets);
    else {
      ext.watchers = watchFolders(
        targets,
        (path) => onFileChanged(ext, path),
        (folder, error) => warn(ext.id, `cannot watch ${folder}: ${error.message}`),
      );
    }
  };

  /** Builds (or fingerprints), re-targets the watchers, and acts unless told to stay quiet. */
  const round = async (ext: Watched, quietWhenUnchanged: boolean): Promise<void> => {
    const manifestChanged = ext.manifestChanged === true;
    ext.manifestChanged = false;
    if (manifestChanged) {
      try {
        const next = readManifest(ext.dir);
        if (next.identifier !== ext.id) {
          throw new SpindleError(
            'INVALID_MANIFEST',
            `spindle.json now names ${next.identifier}; an extension's identifier cannot change`,
          );
        }
        ext.manifest = next;
      } catch (error) {
        const why = errorMessage(error);
        fail(ext.id, `spindle.json not applied; the previous version keeps running: ${why}`);
        events.emit('manifest_changed', { extensionId: ext.id, applied: false, error: why });
        return;
      }
    }
    ext.hasSources = planExtensionBuild(ext.dir, ext.manifest).entries.length > 0;
    let outcome: RoundOutcome;
    if (ext.hasSources) {
      const build = await buildExtension(ext.dir, { ...buildOptions, manifest: ext.manifest });
      outcome = { build, ok: build.ok, changed: build.changed };
    } else {
      const before = ext.outputs;
      ext.outputs = fingerprintOutputs(ext.dir, ext.manifest);
      outcome = {
        ok: true,
        changed: before
          ? changedParts(before, ext.outputs, ext.manifest, ext.dir)
          : { frontend: false, backend: false },
      };
    }
    if (watched.get(ext.id) !== ext || ext.runner.state === 'closed') return;
    // A manifest that waits on a broken build is applied by the round that fixes it.
    if (manifestChanged && !outcome.ok) ext.manifestChanged = true;
    rewatch(ext, outcome.build?.inputs ?? []);
    const quiet =
      outcome.ok && !manifestChanged && !outcome.changed.backend && !outcome.changed.frontend;
    if (quietWhenUnchanged && quiet) return;
    await act(ext.id, outcome, manifestChanged);
  };

  const wanted =
    options.extensions ??
    host
      .list()
      .filter((e) => e.manifest !== undefined)
      .map((e) => e.identifier);
  for (const id of wanted) {
    const info = host.get(id);
    if (!info?.manifest) {
      warn(id, 'not watched: no such extension with a valid manifest');
      continue;
    }
    const ext: Watched = {
      id,
      dir: info.path,
      manifest: info.manifest,
      hasSources: false,
      runner: new ExtensionRunner({
        debounceMs: options.debounceMs ?? 60,
        setTimeout: (handler, ms) => timers.setTimeout(handler, ms),
        clearTimeout: (handle) => timers.clearTimeout(handle),
        round: () => round(ext, false),
        onError: (error) => fail(id, `dev loop round failed: ${errorMessage(error)}`),
      }),
    };
    watched.set(id, ext);
  }
  await Promise.all(
    [...watched.values()].map(async (ext) => {
      await round(ext, true);
      say(ext.id, `watching ${ext.dir}${ext.hasSources ? '' : ' (built files only: no src/)'}`);
    }),
  );

  return {
    events,
    extensions: [...watched.keys()],
    idle: async () => {
      await Promise.all([...watched.values()].map((ext) => ext.runner.idle()));
    },
    rebuild: async (id) => {
      const ext = watched.get(id);
      if (!ext) {
        throw new SpindleError('EXTENSION_NOT_FOUND', `dev loop: ${id} is not watched`, {
          details: { identifier: id },
        });
      }
      ext.runner.changed();
      await ext.runner.idle();
    },
    close: () => {
      for (const ext of watched.values()) {
        ext.runner.close();
        ext.watchers?.close();
      }
    },
  };
}
