/**
 * A dev host for the dev-loop tests: two extensions with sources (`alpha` a folder of the
 * extensions folder, `beta` a project elsewhere reached through a symbolic link), built, and
 * `gamma`, built files only (as another tool would leave them); a real
 * host on loopback (`startSpindleHost`), the dev loop over it, and one "tab" (the real host
 * bridge and frontend SDK) with both extensions mounted, recording what it receives. Everything
 * is undone by `close()`.
 */
import { mkdirSync, mkdtempSync, realpathSync, rmSync, symlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createExtensionHost, type ExtensionHost } from '@spindle/frontend-sdk';
import { connectHostBridge, type HostBridge } from '@spindle/host-bridge';
import type {
  ExtensionInfoDTO,
  SpindleFrontendContext,
  SpindleManifest,
  SpindleRuntimeMode,
} from '@spindle/types';
import { type StartedSpindleHost, startSpindleHost } from '../../src/assemble.ts';
import { buildExtension } from '../../src/dev/build.ts';
import { createDevLogger } from '../../src/dev/log.ts';
import { type DevLoop, type DevLoopEvents, startDevLoop } from '../../src/dev/loop.ts';
import { createTokenAuthenticator } from '../../src/server/auth.ts';

const TOKEN = 'dev-loop-token-0000000001';

/** A backend that answers `version` with its version and pid. */
export const backendSource = (
  version: string,
) => `spindle.onFrontendMessage((payload, userId, sessionId) => {
  spindle.sendToFrontend({ version: ${JSON.stringify(version)}, pid: process.pid, got: payload }, userId, { frontendSessionId: sessionId });
});
spindle.log.info('backend ${version} up');
`;

/** A frontend half (its content only matters for the bundle's bytes). */
export const frontendSource = (version: string) =>
  `export function setup(ctx) { ctx.sendToBackend({ hello: ${JSON.stringify(version)} }); }\n`;

function manifest(identifier: string): SpindleManifest {
  return {
    version: '1.0.0',
    name: identifier,
    identifier,
    author: 'test',
    github: '',
    homepage: '',
    permissions: [],
  };
}

/** Writes an extension project with sources into `dir`. */
export function writeProject(dir: string, identifier: string): void {
  mkdirSync(join(dir, 'src'), { recursive: true });
  writeFileSync(join(dir, 'spindle.json'), JSON.stringify(manifest(identifier)));
  writeFileSync(join(dir, 'src', 'backend.ts'), backendSource('v1'));
  writeFileSync(join(dir, 'src', 'frontend.ts'), frontendSource('v1'));
}

/** What the tab received, per extension. */
export interface Received {
  extensionId: string;
  payload: { version?: string; pid?: number; got?: unknown };
}

/** The dev host of one test. */
export interface DevHarness {
  base: string;
  /** The real folder of each project. */
  dirs: { alpha: string; beta: string; gamma: string };
  started: StartedSpindleHost;
  loop: DevLoop;
  bridge: HostBridge;
  sdk: ExtensionHost;
  /** Backend messages the tab got. */
  received: Received[];
  /** `extension_state` downlinks the bridge got, in order. */
  states: ExtensionInfoDTO[];
  /** Every state of the bridge's connection after it first opened. */
  connectionStates: string[];
  /** Dev log lines (no colour, no timestamp). */
  lines: string[];
  /** Sends `payload` from the tab to `extensionId` and waits for its answer. */
  ask(extensionId: string, payload: unknown): Promise<Received['payload']>;
  /** Resolves with the next `event` of the loop for `extensionId`. */
  next<K extends keyof DevLoopEvents>(event: K, extensionId: string): Promise<DevLoopEvents[K]>;
  close(): Promise<void>;
}

/** Polls `condition` (no fixed sleeps elsewhere). */
export async function until(condition: () => boolean, what: string, ms = 20_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await Bun.sleep(5);
  }
}

/** Starts the dev host (see the module comment). */
export async function startDevHarness(mode: SpindleRuntimeMode): Promise<DevHarness> {
  const base = realpathSync(mkdtempSync(join(tmpdir(), 'spindle-dev-loop-')));
  const cleanups: Array<() => unknown> = [() => rmSync(base, { recursive: true, force: true })];
  const close = async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  };
  try {
    const extensions = join(base, 'extensions');
    const alpha = join(extensions, 'alpha');
    const beta = join(base, 'projects', 'beta-project');
    writeProject(alpha, 'alpha');
    writeProject(beta, 'beta');
    symlinkSync(beta, join(extensions, 'beta'));
    const gamma = join(extensions, 'gamma');
    mkdirSync(join(gamma, 'dist'), { recursive: true });
    writeFileSync(join(gamma, 'spindle.json'), JSON.stringify(manifest('gamma')));
    writeFileSync(join(gamma, 'dist', 'backend.js'), backendSource('g1'));
    writeFileSync(join(gamma, 'dist', 'frontend.js'), frontendSource('g1'));
    for (const dir of [alpha, beta]) {
      const built = await buildExtension(dir);
      if (!built.ok) throw new Error(`fixture build failed: ${JSON.stringify(built.errors)}`);
    }
    const lines: string[] = [];
    // Lines without their timestamp (`12:34:56.789 `), which the log tests check.
    const logger = createDevLogger({
      color: false,
      write: (line) => lines.push(line.slice(line.indexOf(' ') + 1)),
    });
    const started = await startSpindleHost({
      extensionsDir: extensions,
      dataDir: join(base, 'data'),
      runtimeMode: mode,
      authenticate: createTokenAuthenticator({ tokens: { [TOKEN]: { userId: 'dev' } } }),
      logger,
      timing: { readyTimeoutMs: 8_000, shutdownTimeoutMs: 2_000, killGraceMs: 1_000 },
      processOptions: { logger: () => {} },
    });
    cleanups.push(() => started.close());
    const loop = await startDevLoop({ host: started.host, logger, debounceMs: 20 });
    cleanups.push(() => loop.close());

    const bridge = connectHostBridge({
      url: `ws://127.0.0.1:${started.host.port}/ws`,
      token: TOKEN,
    });
    cleanups.push(() => bridge.close());
    const states: ExtensionInfoDTO[] = [];
    const connectionStates: string[] = [];
    bridge.events.on('extension_state', (info) => states.push(info));
    await until(() => bridge.connectionState === 'open', 'the bridge to open');
    bridge.events.on('state', ({ state }) => connectionStates.push(state));
    const received: Received[] = [];
    const contexts = new Map<string, SpindleFrontendContext>();
    const sdk = createExtensionHost({
      transport: bridge,
      document: null,
      loader: async ({ extensionId }) => ({
        setup(ctx: SpindleFrontendContext) {
          contexts.set(extensionId, ctx);
          ctx.onBackendMessage((payload) =>
            received.push({ extensionId, payload: payload as Received['payload'] }),
          );
        },
      }),
    });
    cleanups.push(() => sdk.close());
    for (const info of bridge.extensions) {
      const settled = await sdk.load({ manifest: info.manifest, source: info.identifier }).settled;
      if (settled.state !== 'ready') {
        throw new Error(`${info.identifier} is ${settled.state}: ${settled.error}`);
      }
    }
    let asked = 0;
    return {
      base,
      dirs: { alpha, beta, gamma },
      started,
      loop,
      bridge,
      sdk,
      received,
      states,
      connectionStates,
      lines,
      async ask(extensionId, payload) {
        asked += 1;
        const tag = `q${asked}`;
        contexts.get(extensionId)?.sendToBackend({ tag, payload });
        const match = () =>
          received.find(
            (r) =>
              r.extensionId === extensionId && (r.payload.got as { tag?: string })?.tag === tag,
          );
        await until(() => match() !== undefined, `${extensionId} to answer ${tag}`);
        return (match() as Received).payload;
      },
      next(event, extensionId) {
        return new Promise((resolve) => {
          const handler = (payload: DevLoopEvents[typeof event]) => {
            if ((payload as { extensionId: string }).extensionId !== extensionId) return;
            loop.events.off(event, handler);
            resolve(payload);
          };
          loop.events.on(event, handler);
        });
      },
      close,
    };
  } catch (error) {
    await close();
    throw error;
  }
}
