/**
 * Entry module of an isolation worker: `new Worker(new URL('./worker-entry.ts', import.meta.url),
 * { type: 'module' })`. It exposes one realm on the worker's global scope.
 */
import type { Endpoint } from 'comlink';
import { exposeWorkerRealm } from './worker-realm.ts';

exposeWorkerRealm(globalThis as unknown as Endpoint);
