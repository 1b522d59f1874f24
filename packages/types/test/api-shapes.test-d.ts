/** Pins the extension-facing API (docs/compatibility.md): `ctx`, `spindle`, process contexts. */
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
      | 'host'
      | 'on'
      | 'onFrontendMessage'
      | 'sendToFrontend'
      | 'frontendProcesses'
      | 'backendProcesses'
      | 'log'
      | 'storage'
      | 'userStorage'
      | 'permissions'
    >();
    expectTypeOf<keyof SpindleAPI['permissions']>().toEqualTypeOf<
      'getGranted' | 'has' | 'onDenied' | 'onChanged'
    >();
    expectTypeOf<SpindleAPI['permissions']['has']>().returns.toEqualTypeOf<boolean>();
    expectTypeOf<keyof SpindleAPI['frontendProcesses']>().toEqualTypeOf<
      'spawn' | 'list' | 'get' | 'stop' | 'send' | 'onLifecycle' | 'onMessage'
    >();
    expectTypeOf<keyof SpindleAPI['backendProcesses']>().toEqualTypeOf<
      'spawn' | 'list' | 'get' | 'stop' | 'send' | 'onLifecycle' | 'onMessage'
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
    const api = {} as SpindleAPI;
    api.sendToFrontend({ a: 1 }, 'user-1', { frontendSessionId: 's' });
    api.sendToFrontend({ a: 1 }, undefined, { frontendSessionId: 's' });
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
    type StorageMembers =
      | 'read'
      | 'write'
      | 'readBinary'
      | 'writeBinary'
      | 'delete'
      | 'exists'
      | 'list'
      | 'mkdir'
      | 'move'
      | 'stat'
      | 'getJson'
      | 'setJson';
    expectTypeOf<keyof SpindleAPI['storage']>().toEqualTypeOf<StorageMembers>();
    expectTypeOf<keyof SpindleAPI['userStorage']>().toEqualTypeOf<StorageMembers>();
    expectTypeOf<SpindleAPI['userStorage']['read']>().toBeCallableWith('a.json', 'u');
    expectTypeOf<
      SpindleAPI['storage']['readBinary']
    >().returns.resolves.toEqualTypeOf<Uint8Array>();
    const storage = {} as SpindleAPI['storage'];
    expectTypeOf(
      storage.getJson<number>('n.json', { fallback: 0 }),
    ).resolves.toEqualTypeOf<number>();
  });

  it('has no member it does not implement', () => {
    // @ts-expect-error chats are part of the upstream surface this runtime leaves out
    type _Chats = SpindleAPI['chats'];
  });
});

describe('frontend ctx', () => {
  it('has the members of docs/compatibility.md', () => {
    expectTypeOf<keyof SpindleFrontendContext>().toEqualTypeOf<
      | 'manifest'
      | 'host'
      | 'frontendSessionId'
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
