/**
 * No runtime → host request can hang: whatever a runtime posts with a `requestId` (a valid
 * request, one with a field deleted or replaced by junk, an unknown type, options of the wrong
 * shape, deep nesting), the host answers that id exactly once, with a result or a typed error.
 * The real controller and router are driven through an in-memory runtime; the same rule is
 * checked in every runtime mode by the compatibility suite (test/compat).
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { HostToWorker, SerializedError, WorkerToHost } from '@spindle/types';
import fc from 'fast-check';
import { afterAll, describe, expect, it, vi } from 'vitest';
import { workerToHostProtocol } from '../../../types/test/fixtures/protocols.ts';
import { ExtensionController } from '../../src/runtime/controller.ts';
import { RuntimeRouter, unconfiguredProcessService } from '../../src/runtime/router.ts';
import { FakeGateway } from './fake-gateway.ts';
import { FakeRuntime } from './fake-runtime.ts';

const dir = mkdtempSync(join(tmpdir(), 'spindle-requests-settle-'));
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const REQUEST_SPECS = workerToHostProtocol.messages.filter((spec) => spec.required?.requestId);

/** A request of a random type, valid, then possibly broken in one field (never its id). */
const requestArb = fc
  .tuple(
    fc.oneof(
      ...REQUEST_SPECS.map((spec) =>
        fc.record(
          {
            type: fc.constant(spec.type),
            ...spec.required,
            ...spec.free,
            ...spec.optional,
          },
          {
            requiredKeys: [
              'type',
              ...Object.keys(spec.required ?? {}),
              ...Object.keys(spec.free ?? {}),
            ] as never[],
          },
        ),
      ),
    ),
    fc.oneof(
      fc.constant({ kind: 'keep' as const }),
      fc.record({ kind: fc.constant('delete' as const), pick: fc.nat() }),
      fc.record({ kind: fc.constant('junk' as const), pick: fc.nat(), value: fc.anything() }),
      fc.record({ kind: fc.constant('type' as const), value: fc.string({ maxLength: 20 }) }),
      fc.record({
        kind: fc.constant('deep' as const),
        depth: fc.integer({ min: 100, max: 5_000 }),
      }),
    ),
  )
  .map(([message, mutation]) => {
    const out: Record<string, unknown> = { ...(message as Record<string, unknown>) };
    const fields = Object.keys(out).filter((k) => k !== 'requestId' && k !== 'type');
    const pick = (mutation as { pick?: number }).pick ?? 0;
    const field = fields.length > 0 ? fields[pick % fields.length] : undefined;
    fields.length > 0
      ? fields[(mutation as { pick?: number }).pick ?? 0 % fields.length]
      : undefined;
    if (mutation.kind === 'delete' && field !== undefined) delete out[field];
    if (mutation.kind === 'junk' && field !== undefined) out[field] = mutation.value;
    if (mutation.kind === 'type') out.type = mutation.value;
    if (mutation.kind === 'deep') {
      let nested: unknown = 1;
      for (let i = 0; i < mutation.depth; i += 1) nested = { n: nested };
      out[field ?? 'options'] = nested;
    }
    return out;
  });

function world() {
  const runtime = new FakeRuntime(4242);
  const gateway = new FakeGateway();
  gateway.open('s1', 'alice', ['demo']);
  let router: RuntimeRouter | undefined;
  const post = (message: HostToWorker) => runtime.channel.send(message);
  router = new RuntimeRouter({
    extensionId: 'demo',
    scope: { kind: 'operator' },
    storagePath: join(dir, `storage-${Math.random().toString(36).slice(2)}`),
    gateway,
    processService: unconfiguredProcessService,
    processContext: {
      extensionId: 'demo',
      manifest: {
        version: '1',
        name: 'demo',
        identifier: 'demo',
        author: '',
        github: '',
        homepage: '',
        permissions: [],
      },
      extensionPath: dir,
      storagePath: dir,
      scope: { kind: 'operator' },
      runtimeMode: 'process',
      post,
    },
    post,
    log: () => {},
  });
  const controller = new ExtensionController({
    extensionId: 'demo',
    launch: async () => runtime,
    buildInit: () => ({ type: 'init' }) as unknown as HostToWorker,
    onMessage: (message: WorkerToHost) => router?.handle(message),
    unloadProcesses: async () => {},
    onStateChange: () => {},
    onExit: () => {},
    onLog: () => {},
  });
  runtime.onInit = (rt) => rt.emit({ type: 'ready' });
  return { runtime, controller };
}

const responses = (runtime: FakeRuntime) =>
  runtime.sent.filter(
    (m): m is Extract<HostToWorker, { type: 'response' }> => m.type === 'response',
  );

describe('every runtime request settles', () => {
  it('valid and malformed requests each get exactly one response, errors typed', async () => {
    const { runtime, controller } = world();
    await controller.enable();
    let next = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(requestArb, { minLength: 1, maxLength: 12 }), async (batch) => {
        const ids = batch.map(() => {
          next += 1;
          return `q${next}`;
        });
        batch.forEach((message, i) => {
          runtime.emit({ ...message, requestId: ids[i] });
        });
        await vi.waitFor(
          () => {
            const answered = new Set(responses(runtime).map((r) => r.requestId));
            expect(ids.filter((id) => !answered.has(id))).toEqual([]);
          },
          { timeout: 5_000, interval: 2 },
        );
        for (const id of ids) {
          const answers = responses(runtime).filter((r) => r.requestId === id);
          expect(answers).toHaveLength(1);
          const error = answers[0]?.error as SerializedError | undefined;
          if (error) expect(typeof error.code).toBe('string');
        }
      }),
      { numRuns: 60 },
    );
    await controller.close();
  });

  it('a refused request names the field and the rule', async () => {
    const { runtime, controller } = world();
    await controller.enable();
    runtime.emit({
      type: 'backend_process_spawn',
      requestId: 'bad-entry',
      options: { entry: 'dist/../../x.js' },
    });
    runtime.emit({ type: 'storage', requestId: 'bad-path', op: 'read', path: 42 });
    runtime.emit({ type: 'no_such_request', requestId: 'unknown' });
    const byId = (id: string) => responses(runtime).find((r) => r.requestId === id)?.error;
    expect(byId('bad-entry')).toMatchObject({
      code: 'INVALID_OPTIONS',
      details: { path: 'options.entry' },
    });
    expect(byId('bad-entry')?.message).toContain('must not contain a ".." segment');
    expect(byId('bad-path')).toMatchObject({ code: 'INVALID_OPTIONS', details: { path: 'path' } });
    expect(byId('unknown')).toMatchObject({ code: 'UNKNOWN_TYPE' });
    await controller.close();
  });
});
