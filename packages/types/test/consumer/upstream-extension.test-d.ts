/**
 * An extension written the upstream way (as `lumiverse-spindle-types` 0.6.20 declares the API),
 * type-checked against this package under `strict` and `exactOptionalPropertyTypes`
 * (`tsc -p test/consumer`, part of `pnpm typecheck`). Compiled, never run.
 */
import type {
  BackendProcessHandle,
  FrontendProcessHandle,
  SpindleAPI,
  SpindleBackendProcessContext,
  SpindleBackendProcessModule,
  SpindleFrontendContext,
  SpindleFrontendProcessContext,
  SpindleHostDescriptorV1,
  SpindleManifest,
  SpindlePermission,
} from '../../src/index.ts';

declare const spindle: SpindleAPI;

export async function backend(): Promise<void> {
  // Messages: upstream's two-argument handler and its three-argument routing.
  const off: () => void = spindle.onFrontendMessage((payload, userId) => {
    spindle.sendToFrontend({ echo: payload }, userId);
  });
  spindle.onFrontendMessage((_payload: unknown, userId: string, frontendSessionId?: string) => {
    spindle.sendToFrontend({ hi: 1 }, userId, { frontendSessionId: frontendSessionId ?? '' });
  });
  spindle.sendToFrontend({ everyone: true });
  off();

  // Host descriptor and events.
  const host: SpindleHostDescriptorV1 = spindle.host;
  const routing: number | undefined = host.capabilities['frontend-session-routing-v1'];
  void routing;
  const stop = spindle.on('FRONTEND_SESSION_CLOSED', (payload) => {
    const id: string = payload.frontendSessionId;
    void id;
  });
  spindle.on('CHAT_CHANGED', (payload: unknown, userId?: string) => void [payload, userId]);
  stop();

  // Frontend processes.
  const fp: FrontendProcessHandle = await spindle.frontendProcesses.spawn({
    kind: 'ticker',
    key: 'k',
    userId: 'alice',
    payload: { n: 1 },
    startupTimeoutMs: 5000,
    heartbeatTimeoutMs: 5000,
    replaceExisting: true,
  });
  spindle.frontendProcesses.send(fp.processId, { cmd: 'go' }, 'alice');
  spindle.frontendProcesses.onMessage((event) => {
    const p: unknown = event.payload;
    const who: string = event.userId;
    const id: string = event.processId;
    void [p, who, id];
  });
  const stopped: Promise<void> = spindle.frontendProcesses.stop(fp.processId, { userId: 'alice' });
  await stopped;
  const handleStopped: Promise<void> = fp.stop({ reason: 'done' });
  await handleStopped;

  // Backend processes.
  const bp: BackendProcessHandle = await spindle.backendProcesses.spawn({
    entry: 'dist/worker.js',
    kind: 'worker',
    payload: {},
  });
  spindle.backendProcesses.send(bp.processId, { ping: 1 });
  spindle.backendProcesses.send(bp.processId, { ping: 1 }, 'alice');
  spindle.backendProcesses.onMessage(({ processId, payload, userId }) => {
    void [processId, payload, userId];
  });
  await spindle.backendProcesses.stop(bp.processId);
  const info = await bp.refresh();
  void info?.state;

  // Storage, upstream signatures.
  const bytes: Uint8Array = await spindle.storage.readBinary('a.bin');
  await spindle.storage.writeBinary('b.bin', bytes);
  await spindle.storage.mkdir('folder');
  await spindle.storage.move('a.bin', 'folder/a.bin');
  const st = await spindle.storage.stat('folder/a.bin');
  const facts: [boolean, boolean, boolean, number, string] = [
    st.exists,
    st.isFile,
    st.isDirectory,
    st.sizeBytes,
    st.modifiedAt,
  ];
  void facts;
  const files: string[] = await spindle.storage.list('folder');
  void files;
  const conf = await spindle.storage.getJson<{ a: number }>('c.json', { fallback: { a: 1 } });
  await spindle.storage.setJson('c.json', conf, { indent: 2 });

  // userStorage: positional userId, options for JSON.
  await spindle.userStorage.write('x.txt', 'x', 'alice');
  const text: string = await spindle.userStorage.read('x.txt', 'alice');
  await spindle.userStorage.writeBinary('x.bin', new Uint8Array([1]), 'alice');
  await spindle.userStorage.move('x.txt', 'y.txt', 'alice');
  const mine: string[] = await spindle.userStorage.list(undefined, 'alice');
  await spindle.userStorage.setJson('p.json', { t: 1 }, { indent: 2, userId: 'alice' });
  const prefs = await spindle.userStorage.getJson<{ t: number }>('p.json', {
    fallback: { t: 0 },
    userId: 'alice',
  });
  void [text, mine, prefs];
  // @ts-expect-error userStorage takes the user positionally, not as { userId }
  await spindle.userStorage.read('x.txt', { userId: 'alice' });

  spindle.log.info('done');
  const perms: SpindlePermission[] = spindle.manifest.permissions;
  void perms;
}

/** A backend subprocess entry, upstream style. */
export const child: SpindleBackendProcessModule = {
  default(process: SpindleBackendProcessContext) {
    process.onMessage((payload) => process.send({ echo: payload }));
    process.onStop(({ reason }) => {
      setTimeout(() => process.complete({ reason }), 10);
    });
    process.ready();
    const timer = setInterval(() => process.heartbeat(), 1000);
    return () => clearInterval(timer);
  },
};

/** A frontend half, upstream style. */
export function setup(ctx: SpindleFrontendContext): () => void {
  const off = ctx.onBackendMessage((payload) => void payload);
  ctx.processes.register('ticker', (process: SpindleFrontendProcessContext) => {
    process.ready();
    process.onStop(() => process.complete());
    process.onMessage((m) => process.send(m));
    return () => process.fail('gone');
  });
  ctx.deferReady();
  ctx.sendToBackend({ hello: ctx.host.lumiverseVersion, session: ctx.frontendSessionId });
  ctx.ready();
  const manifest: SpindleManifest = ctx.manifest;
  void manifest.storage_seed_files?.[0]?.from;
  return off;
}
