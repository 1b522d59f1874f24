/**
 * A whole host for the operations tests: `startSpindleHost` over the runtime fixtures with a
 * token table (an admin and a user), its own server on 127.0.0.1 (or mounted on an app's
 * `Bun.serve` under a base path), and a wire client that mounts extensions and asks them things.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { ServerFrame, SpindleRuntimeMode } from '@spindle/types';
import { type StartedSpindleHost, startSpindleHost } from '../../src/assemble.ts';
import type { SpindleHost, SpindleHostOptions } from '../../src/host.ts';
import { createTokenAuthenticator } from '../../src/server/auth.ts';
import type { FrontendSideOptions } from '../../src/server/host-wiring.ts';
import { FIXTURES, TEST_TIMING } from '../runtime/helpers.ts';
import { TestClient } from '../server/helpers.ts';

/** Tokens of the host's two users. */
export const OPS_TOKENS = {
  admin: 'ops-admin-token-0123456789',
  user: 'ops-user-token-01234567890',
} as const;

/** A wire client of the ops host. */
export interface OpsClient {
  client: TestClient;
  mount(extensionId: string): Promise<void>;
  /** Sends `{ ...payload, id }` to the extension; resolves with its answer's payload. */
  ask(extensionId: string, payload: Record<string, unknown>): Promise<unknown>;
  close(): Promise<void>;
}

/** A running ops host. */
export interface OpsHost {
  started: StartedSpindleHost;
  host: SpindleHost;
  /** `http://127.0.0.1:<port><basePath>`. */
  url: string;
  tokens: typeof OPS_TOKENS;
  logs: string[];
  connect(token: string): Promise<OpsClient>;
}

const cleanups: Array<() => unknown> = [];

/** Closes every host started by `startOpsHost` (call from `afterEach`). */
export async function closeOpsHosts(): Promise<void> {
  for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
}

/** Starts a host; with `mount`, on an app's own `Bun.serve` under `mount.basePath`. */
export async function startOpsHost(
  mode: SpindleRuntimeMode,
  options: Partial<SpindleHostOptions> = {},
  serverOptions: Omit<FrontendSideOptions, 'authenticate'> = {},
  mount?: { basePath: string },
): Promise<OpsHost> {
  const dataDir = mkdtempSync(join(tmpdir(), 'spindle-ops-'));
  cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
  const logs: string[] = [];
  const started = await startSpindleHost({
    extensionsDir: FIXTURES,
    dataDir,
    runtimeMode: mode,
    enable: [],
    timing: TEST_TIMING,
    logger: (entry) => logs.push(`${entry.extensionId ?? '-'} ${entry.message}`),
    authenticate: createTokenAuthenticator({
      tokens: {
        [OPS_TOKENS.admin]: { userId: 'root', isAdmin: true },
        [OPS_TOKENS.user]: { userId: 'alice' },
      },
    }),
    serverOptions: { reportError: () => {}, ...serverOptions },
    processOptions: { logger: () => {} },
    ...(mount ? { mount } : {}),
    ...options,
  });
  cleanups.push(() => started.close());
  let url: string;
  if (mount) {
    const handlers = started.handlers!;
    const app = Bun.serve({
      hostname: '127.0.0.1',
      port: 0,
      fetch: (request, server) =>
        handlers.owns(request)
          ? handlers.fetch(request, server as never)
          : new Response('the app', { status: 200 }),
      websocket: handlers.websocket as never,
    });
    cleanups.push(() => app.stop(true));
    url = `http://127.0.0.1:${app.port}${mount.basePath}`;
  } else {
    url = `http://127.0.0.1:${started.host.port}`;
  }
  let nextId = 0;
  const connect = async (token: string): Promise<OpsClient> => {
    const client = await TestClient.connect(`${url.replace('http', 'ws')}/ws`);
    cleanups.push(() => client.ws.close());
    client.hello(token);
    await client.until((frames) => frames.some((f) => f.type === 'welcome'), 'welcome');
    let seq = 0;
    const send = (frame: Record<string, unknown>) => {
      seq += 1;
      client.send({ ...frame, seq });
    };
    return {
      client,
      async mount(extensionId) {
        send({ type: 'extension_mounted', extensionId });
      },
      async ask(extensionId, payload) {
        nextId += 1;
        const id = nextId;
        send({ type: 'backend_message', extensionId, payload: { ...payload, id } });
        const isAnswer = (f: ServerFrame) =>
          f.type === 'backend_message' && (f.payload as { id?: number } | null)?.id === id;
        await client.until((frames) => frames.some(isAnswer), `answer ${id}`);
        return (client.frames.find(isAnswer) as { payload: unknown }).payload;
      },
      async close() {
        client.ws.close();
        await client.closed;
      },
    };
  };
  return { started, host: started.host, url, tokens: OPS_TOKENS, logs, connect };
}
