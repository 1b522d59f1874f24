/**
 * Page script of `worker-smoke.mjs`: loads bundles through the real loader (blob: URLs) on the
 * main thread and in a real Worker, and records what the fake backend sees.
 */
import {
  createExtensionHost,
  createMemoryTransport,
  createWorkerConnector,
} from '../../src/index.ts';

const log: string[] = [];
const results: Record<string, unknown> = { log };
(globalThis as unknown as { __smoke: typeof results }).__smoke = results;
let ticks = 0;
setInterval(() => {
  ticks += 1;
  results.ticks = ticks;
}, 50);

const { transport, remote } = createMemoryTransport();
remote.onMessage((m) => log.push(JSON.stringify(m)));
const host = createExtensionHost({
  transport,
  processDeadlines: { marginMs: 0 },
  importTimeoutMs: 2_000,
  workerConnector: createWorkerConnector(),
});
host.events.on('state', (e) => log.push(`state ${e.extensionId} ${e.state} ${e.error ?? ''}`));
const manifest = (identifier: string) => ({
  identifier,
  name: identifier,
  version: '1.0.0',
  author: '',
  github: '',
  homepage: '',
  permissions: [],
});

const workerSource = `
export function setup(ctx) {
  ctx.sendToBackend({ dom: typeof ctx.dom, document: typeof document });
  ctx.onBackendMessage((m) => ctx.sendToBackend({ echo: m }));
  ctx.processes.register('spin', (p) => {
    p.ready();
    setTimeout(() => { while (true) {} }, 50);
  });
}`;
const mainSource = 'export function setup(ctx) { ctx.dom.addStyle(".smoke{}"); }';
const iife = '(function () { ctx.processes.register("k", () => {}); })();';

// A bundle whose top level never returns: the import deadline ends it, the worker is terminated.
const spinning = host.load(
  { manifest: manifest('spin_at_import'), source: 'while (true) {}\nexport function setup() {}' },
  { isolation: 'worker' },
).settled;
spinning.then((s) => {
  results.spinning = `${s.state} ${s.code}`;
});
const [worker, main, broken] = await Promise.all([
  host.load({ manifest: manifest('in_worker'), source: workerSource }, { isolation: 'worker' })
    .settled,
  host.load({ manifest: manifest('on_main'), source: mainSource }).settled,
  host.load({ manifest: manifest('broken'), source: iife }).settled,
]);
results.states = {
  worker: worker.state,
  main: main.state,
  broken: `${broken.state}: ${broken.error}`,
};
results.styles = document.head.querySelectorAll('style[data-spindle-extension="on_main"]').length;
remote.send({ type: 'backend_message', extensionId: 'in_worker', payload: 'hello' });
remote.send({
  type: 'process_spawn',
  extensionId: 'in_worker',
  processId: 'p1',
  kind: 'spin',
  startupTimeoutMs: 5_000,
  heartbeatTimeoutMs: 1_000,
});
results.ready = true;
