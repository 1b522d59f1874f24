/** Real-socket helpers for the server tests (run by `bun test`). */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  type ExtensionInfoDTO,
  PROTOCOL_VERSION,
  type ServerFrame,
  type SpindleManifest,
} from '@spindle/types';
import { FrontendHub, type FrontendHubOptions } from '../../src/frontend/hub.ts';
import { createTokenAuthenticator } from '../../src/server/auth.ts';
import type { BundleFile } from '../../src/server/bundle.ts';
import {
  createHostServer,
  type HostServerOptions,
  type RunningHostServer,
} from '../../src/server/server.ts';

export const ALICE = 'alice-token-0123456789';
export const BOB = 'bob-token-0123456789ab';
export const ROOT = 'root-token-0123456789a';

/** The smallest valid manifest for `identifier`. */
export function testManifest(identifier: string): SpindleManifest {
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

/** Minimal manifest-bearing extension entry. */
export function extension(
  identifier: string,
  state: ExtensionInfoDTO['state'] = 'running',
): ExtensionInfoDTO {
  return {
    identifier,
    state,
    manifest: testManifest(identifier),
  };
}

/** A server with three users, extensions `ext_a` (running, with a bundle) and `ext_off` (disabled). */
export interface Fixture {
  server: RunningHostServer;
  hub: FrontendHub;
  dir: string;
  bundlePath: string;
  extensions: ExtensionInfoDTO[];
  stop(): Promise<void>;
}

export function startFixture(
  overrides: Partial<HostServerOptions> = {},
  hubOptions: FrontendHubOptions = {},
): Fixture {
  const dir = mkdtempSync(join(tmpdir(), 'spindle-server-'));
  const bundlePath = join(dir, 'frontend.js');
  writeFileSync(bundlePath, 'export function setup() {}\n');
  const extensions = [extension('ext_a'), extension('ext_off', 'disabled')];
  const hub = new FrontendHub({
    // One ack per received message, at its end, so that tests can count acks; the delayed,
    // piggybacked acks of the default are covered in `batches.bun.test.ts`.
    ackDelayMs: 0,
    extensionExists: (id) => extensions.some((e) => e.identifier === id),
    isEnabled: (id) => extensions.some((e) => e.identifier === id && e.state !== 'disabled'),
    ...hubOptions,
  });
  const server = createHostServer({
    hub,
    authenticate: createTokenAuthenticator({
      tokens: {
        [ALICE]: { userId: 'alice' },
        [BOB]: { userId: 'bob' },
        [ROOT]: { userId: 'root', isAdmin: true },
      },
    }),
    getExtensions: () => extensions,
    resolveBundle: (id): BundleFile | null => {
      if (id !== 'ext_a' && id !== 'ext_off') return null;
      const file = Bun.file(bundlePath);
      return { path: bundlePath, size: file.size, mtimeMs: file.lastModified };
    },
    reportError: () => {},
    ...overrides,
  });
  return {
    server,
    hub,
    dir,
    bundlePath,
    extensions,
    async stop() {
      await server.stop();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

/** A WebSocket client that records every frame and the close. */
export class TestClient {
  readonly ws: WebSocket;
  /** Frames received, batches unpacked. */
  readonly frames: ServerFrame[] = [];
  /** WebSocket messages received (a batch counts once). */
  messages = 0;
  readonly opened: Promise<void>;
  readonly closed: Promise<{ code: number; reason: string }>;
  #waiters: Array<() => void> = [];

  constructor(url: string) {
    this.ws = new WebSocket(url);
    this.opened = new Promise((resolve, reject) => {
      this.ws.addEventListener('open', () => resolve(), { once: true });
      this.ws.addEventListener('error', () => reject(new Error('socket error')), { once: true });
    });
    this.closed = new Promise((resolve) => {
      this.ws.addEventListener('close', (event) => {
        resolve({ code: event.code, reason: event.reason });
        this.#wake();
      });
    });
    this.ws.addEventListener('message', (event) => {
      const message = JSON.parse(String(event.data)) as ServerFrame | ServerFrame[];
      this.messages += 1;
      // A batch is recorded frame by frame, in order.
      if (Array.isArray(message)) this.frames.push(...message);
      else this.frames.push(message);
      this.#wake();
    });
  }

  static async connect(url: string): Promise<TestClient> {
    const client = new TestClient(url);
    await client.opened;
    return client;
  }

  send(frame: unknown): void {
    this.ws.send(typeof frame === 'string' ? frame : JSON.stringify(frame));
  }

  hello(token: string, extra: Record<string, unknown> = {}): void {
    this.send({ type: 'hello', protocolVersion: PROTOCOL_VERSION, token, ...extra });
  }

  ofType<T extends ServerFrame['type']>(type: T): Array<Extract<ServerFrame, { type: T }>> {
    return this.frames.filter((f) => f.type === type) as Array<Extract<ServerFrame, { type: T }>>;
  }

  /** Waits until `predicate` holds over the recorded frames (10 s safety net, not a timing assumption). */
  async until(predicate: (frames: ServerFrame[]) => boolean, what = 'condition'): Promise<void> {
    const deadline = Date.now() + 10_000;
    while (!predicate(this.frames)) {
      if (Date.now() > deadline)
        throw new Error(
          `timed out waiting for ${what}; got ${JSON.stringify(this.frames).slice(0, 2000)}`,
        );
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, 50);
        this.#waiters.push(() => {
          clearTimeout(timer);
          resolve();
        });
      });
    }
  }

  /** Waits for the `count`-th frame of `type` and returns it. */
  async next<T extends ServerFrame['type']>(
    type: T,
    count = 1,
  ): Promise<Extract<ServerFrame, { type: T }>> {
    await this.until(
      (frames) => frames.filter((f) => f.type === type).length >= count,
      `${count}× ${type}`,
    );
    return this.ofType(type)[count - 1]!;
  }

  /** A ping round trip: every frame sent before it has been processed by the server. */
  async roundTrip(): Promise<void> {
    const at = Math.random();
    this.send({ type: 'ping', at });
    await this.until((frames) => frames.some((f) => f.type === 'pong' && f.at === at), 'pong');
  }

  close(): void {
    if (this.ws.readyState === WebSocket.OPEN || this.ws.readyState === WebSocket.CONNECTING)
      this.ws.close();
  }

  #wake(): void {
    const waiters = this.#waiters;
    this.#waiters = [];
    for (const wake of waiters) wake();
  }
}
