/** Pins the extension-facing API of DESIGN.md section 4: `ctx`, `spindle`, process contexts. */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BackendProcessHandle,
  FrontendProcessHandle,
  SpindleAPI,
  SpindleBackendProcessContext,
  SpindleBackendProcessModule,
  SpindleFrontendContext,
  SpindleFrontendProcessContext,
  SpindleFrontendProcessRegistry,
  Unsubscribe,
} from '../src/index.ts';

describe('SpindleAPI', () => {
  it('has exactly the implemented members', () => {
    expectTypeOf<keyof SpindleAPI>().toEqualTypeOf<
      | 'manifest'
      | 'onFrontendMessage'
      | 'sendToFrontend'
      | 'frontendProcesses'
      | 'backendProcesses'
      | 'log'
      | 'storage'
      | 'userStorage'
    >();
    expectTypeOf<keyof SpindleAPI['frontendProcesses']>().toEqualTypeOf<
      'spawn' | 'list' | 'get' | 'stop' | 'send' | 'onLifecycle' | 'onMessage'
    >();
    expectTypeOf<keyof SpindleAPI['backendProcesses']>().toEqualTypeOf<
      'spawn' | 'list' | 'get' | 'stop' | 'onLifecycle' | 'onMessage'
    >();
    expectTypeOf<keyof SpindleAPI['log']>().toEqualTypeOf<'info' | 'warn' | 'error'>();
  });

  it('sendToFrontend takes a userId or a target object', () => {
    expectTypeOf<SpindleAPI['sendToFrontend']>().toBeCallableWith({ a: 1 });
    expectTypeOf<SpindleAPI['sendToFrontend']>().toBeCallableWith({ a: 1 }, 'user-1');
    expectTypeOf<SpindleAPI['sendToFrontend']>().toBeCallableWith(
      { a: 1 },
      { frontendSessionId: 's' },
    );
    expectTypeOf<SpindleAPI['onFrontendMessage']>()
      .parameter(0)
      .toEqualTypeOf<(payload: unknown, userId: string, frontendSessionId?: string) => void>();
    expectTypeOf<SpindleAPI['onFrontendMessage']>().returns.toEqualTypeOf<Unsubscribe>();
  });

  it('spawn resolves to a handle', () => {
    expectTypeOf<
      SpindleAPI['frontendProcesses']['spawn']
    >().returns.resolves.toEqualTypeOf<FrontendProcessHandle>();
    expectTypeOf<
      SpindleAPI['backendProcesses']['spawn']
    >().returns.resolves.toEqualTypeOf<BackendProcessHandle>();
    expectTypeOf<keyof BackendProcessHandle>().toEqualTypeOf<
      'processId' | 'entry' | 'kind' | 'key' | 'info' | 'send' | 'stop' | 'refresh'
    >();
  });

  it('storage and userStorage', () => {
    expectTypeOf<keyof SpindleAPI['storage']>().toEqualTypeOf<
      'read' | 'write' | 'delete' | 'exists' | 'list' | 'getJson' | 'setJson'
    >();
    expectTypeOf<SpindleAPI['userStorage']['read']>().toBeCallableWith('a.json', { userId: 'u' });
    const storage = {} as SpindleAPI['storage'];
    expectTypeOf(
      storage.getJson<number>('n.json', { fallback: 0 }),
    ).resolves.toEqualTypeOf<number>();
  });

  it('has no member it does not implement', () => {
    // @ts-expect-error chats are part of the upstream surface this runtime leaves out
    type _Chats = SpindleAPI['chats'];
    const api = {} as SpindleAPI;
    // @ts-expect-error `on` is not implemented: extensions feature-detect it with `spindle.on?.()`
    api.on?.('x', () => {});
  });
});

describe('frontend ctx', () => {
  it('has the members of DESIGN.md section 4', () => {
    expectTypeOf<keyof SpindleFrontendContext>().toEqualTypeOf<
      | 'manifest'
      | 'processes'
      | 'sendToBackend'
      | 'onBackendMessage'
      | 'ready'
      | 'deferReady'
      | 'dom'
    >();
    expectTypeOf<SpindleFrontendContext['onBackendMessage']>().returns.toEqualTypeOf<Unsubscribe>();
    expectTypeOf<SpindleFrontendProcessRegistry['register']>().parameter(0).toEqualTypeOf<string>();
  });
});

describe('process contexts', () => {
  it('frontend process context', () => {
    expectTypeOf<keyof SpindleFrontendProcessContext>().toEqualTypeOf<
      | 'processId'
      | 'kind'
      | 'key'
      | 'payload'
      | 'metadata'
      | 'ready'
      | 'heartbeat'
      | 'send'
      | 'onMessage'
      | 'complete'
      | 'fail'
      | 'onStop'
    >();
  });

  it('backend process context adds entry and userId', () => {
    expectTypeOf<
      Exclude<keyof SpindleBackendProcessContext, keyof SpindleFrontendProcessContext>
    >().toEqualTypeOf<'entry' | 'userId'>();
    expectTypeOf<keyof SpindleBackendProcessModule>().toEqualTypeOf<'default' | 'run'>();
  });
});
