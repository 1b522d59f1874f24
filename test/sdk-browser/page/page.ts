/**
 * Browser entry of the SDK test page (bundled by `bun build --target browser`): a real extension
 * host on a memory transport, worker isolation through the SDK's own worker entry (`worker.js`,
 * built from `@spindle/frontend-sdk/worker`), and a counter button to prove the page answers.
 */
import {
  createExtensionHost,
  createMemoryTransport,
  createWorkerConnector,
  EXTENSION_ATTRIBUTE,
  type ExtensionSnapshot,
  type WorkerLike,
} from '@spindle/frontend-sdk';
import type { SpindleManifest } from '@spindle/types';
import type { ClickRecord, PageApi, WorkerRecord } from './api.ts';

const { transport, remote } = createMemoryTransport();
const workers: WorkerRecord[] = [];

const params = new URL(location.href).searchParams;
// A test may point the workers at another script (`?workerUrl=…`) to see a worker that fails.
const workerUrl = new URL(params.get('workerUrl') ?? './worker.js', import.meta.url);

const createWorker = (): WorkerLike => {
  const worker = new Worker(workerUrl, {
    type: 'module',
    name: 'spindle-extension',
  });
  const record: WorkerRecord = { terminated: false };
  workers.push(record);
  const terminate = worker.terminate.bind(worker);
  worker.terminate = () => {
    record.terminated = true;
    terminate();
  };
  return worker;
};

// A test may compress the import deadline (`?importTimeoutMs=…`); everything else is default.
const importTimeoutMs = params.get('importTimeoutMs');
const host = createExtensionHost({
  transport,
  workerConnector: createWorkerConnector({ createWorker }),
  ...(importTimeoutMs === null ? {} : { importTimeoutMs: Number(importTimeoutMs) }),
});

const manifest = (identifier: string): SpindleManifest => ({
  version: '1.0.0',
  name: identifier,
  identifier,
  author: 'spindle tests',
  github: 'https://github.com/example/spindle',
  homepage: 'https://example.com',
  permissions: [],
});

const settled = new Map<string, Promise<ExtensionSnapshot>>();
const clicks: ClickRecord[] = [];
const api: PageApi = {
  host,
  load(id, bundle, isolation = 'main') {
    const ticket = host.load({ manifest: manifest(id), ...bundle }, { isolation });
    settled.set(id, ticket.settled);
    const { settled: _settled, ...snapshot } = ticket;
    return snapshot;
  },
  settled: async (id) => {
    const pending = settled.get(id);
    if (pending === undefined) throw new Error(`no load of ${id}`);
    return pending;
  },
  send: (message) => remote.send(message),
  uplinks: () => remote.received.map((m) => structuredClone(m)),
  states: [],
  processEvents: [],
  errors: [],
  workers,
  clicks,
  processes: () => host.processes(),
  ownedElements: (id) => document.querySelectorAll(`[${EXTENSION_ATTRIBUTE}="${id}"]`).length,
};
host.events.on('state', (event) => api.states.push(event));
host.events.on('process', (event) => api.processEvents.push(event));
host.events.on('error', (event) => api.errors.push(event));

const button = document.createElement('button');
button.id = 'inc';
button.textContent = 'count';
const counter = document.createElement('output');
counter.id = 'count';
counter.textContent = '0';
button.addEventListener('click', () => {
  const count = clicks.length + 1;
  clicks.push({ count, processStates: host.processes().map((p) => p.state) });
  counter.textContent = String(count);
});
document.body.append(button, counter);
window.spindleTest = api;
document.body.dataset.ready = 'true';
