/**
 * Pins the DTO shapes mirrored from lumiverse-spindle-types: field names, optional-ness and the
 * literal unions. A rename, a field made required or a state added fails this file.
 */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BackendProcessExitReasonDTO,
  BackendProcessInfoDTO,
  BackendProcessLifecycleEventDTO,
  BackendProcessListOptionsDTO,
  BackendProcessSpawnOptionsDTO,
  BackendProcessStateDTO,
  BackendProcessStopOptionsDTO,
  FrontendProcessExitReasonDTO,
  FrontendProcessInfoDTO,
  FrontendProcessLifecycleEventDTO,
  FrontendProcessListOptionsDTO,
  FrontendProcessSpawnOptionsDTO,
  FrontendProcessStateDTO,
  FrontendProcessStopOptionsDTO,
  SpindleManifest,
  SpindlePermission,
  SpindleRuntimeMode,
} from '../src/index.ts';

/** Keys of `T` that may be absent. */
type OptionalKeys<T> = { [K in keyof T]-?: object extends Pick<T, K> ? K : never }[keyof T];
/** Keys of `T` that must be present. */
type RequiredKeys<T> = Exclude<keyof T, OptionalKeys<T>>;

describe('process states and reasons', () => {
  it('lists the seven states and the exit reasons', () => {
    expectTypeOf<FrontendProcessStateDTO>().toEqualTypeOf<
      'starting' | 'running' | 'stopping' | 'stopped' | 'completed' | 'failed' | 'timed_out'
    >();
    expectTypeOf<BackendProcessStateDTO>().toEqualTypeOf<FrontendProcessStateDTO>();
    expectTypeOf<FrontendProcessExitReasonDTO>().toEqualTypeOf<
      | 'completed'
      | 'failed'
      | 'stopped'
      | 'timed_out'
      | 'frontend_unloaded'
      | 'backend_unloaded'
      | 'replaced'
    >();
    expectTypeOf<BackendProcessExitReasonDTO>().toEqualTypeOf<
      Exclude<FrontendProcessExitReasonDTO, 'frontend_unloaded'>
    >();
    expectTypeOf<SpindleRuntimeMode>().toEqualTypeOf<'process' | 'sandbox' | 'worker'>();
  });
});

describe('spawn options', () => {
  it('frontend: kind required, the rest optional', () => {
    expectTypeOf<RequiredKeys<FrontendProcessSpawnOptionsDTO>>().toEqualTypeOf<'kind'>();
    expectTypeOf<OptionalKeys<FrontendProcessSpawnOptionsDTO>>().toEqualTypeOf<
      | 'key'
      | 'payload'
      | 'metadata'
      | 'userId'
      | 'startupTimeoutMs'
      | 'heartbeatTimeoutMs'
      | 'replaceExisting'
      | 'frontendSessionId'
    >();
    expectTypeOf<FrontendProcessSpawnOptionsDTO['metadata']>().toEqualTypeOf<
      Record<string, unknown> | undefined
    >();
  });

  it('backend: entry required, kind optional, no frontendSessionId', () => {
    expectTypeOf<RequiredKeys<BackendProcessSpawnOptionsDTO>>().toEqualTypeOf<'entry'>();
    expectTypeOf<OptionalKeys<BackendProcessSpawnOptionsDTO>>().toEqualTypeOf<
      | 'kind'
      | 'key'
      | 'payload'
      | 'metadata'
      | 'userId'
      | 'startupTimeoutMs'
      | 'heartbeatTimeoutMs'
      | 'replaceExisting'
    >();
    // @ts-expect-error a backend spawn without an entry is not an option set
    const missing: BackendProcessSpawnOptionsDTO = { kind: 'k' };
    // @ts-expect-error timeouts are numbers
    const wrong: FrontendProcessSpawnOptionsDTO = { kind: 'k', startupTimeoutMs: '1000' };
    void missing;
    void wrong;
  });
});

describe('info and lifecycle events', () => {
  it('info DTOs', () => {
    expectTypeOf<RequiredKeys<FrontendProcessInfoDTO>>().toEqualTypeOf<
      'processId' | 'kind' | 'state' | 'startedAt'
    >();
    expectTypeOf<RequiredKeys<BackendProcessInfoDTO>>().toEqualTypeOf<
      'processId' | 'entry' | 'kind' | 'state' | 'startedAt'
    >();
    expectTypeOf<OptionalKeys<FrontendProcessInfoDTO>>().toEqualTypeOf<
      | 'key'
      | 'userId'
      | 'metadata'
      | 'readyAt'
      | 'lastHeartbeatAt'
      | 'endedAt'
      | 'exitReason'
      | 'error'
    >();
    expectTypeOf<BackendProcessInfoDTO['exitReason']>().toEqualTypeOf<
      BackendProcessExitReasonDTO | undefined
    >();
  });

  it('lifecycle events', () => {
    expectTypeOf<RequiredKeys<FrontendProcessLifecycleEventDTO>>().toEqualTypeOf<
      'processId' | 'kind' | 'state' | 'at'
    >();
    expectTypeOf<RequiredKeys<BackendProcessLifecycleEventDTO>>().toEqualTypeOf<
      'processId' | 'entry' | 'kind' | 'state' | 'at'
    >();
    expectTypeOf<FrontendProcessLifecycleEventDTO['previousState']>().toEqualTypeOf<
      FrontendProcessStateDTO | undefined
    >();
  });

  it('list and stop options are all optional', () => {
    expectTypeOf<RequiredKeys<FrontendProcessListOptionsDTO>>().toEqualTypeOf<never>();
    expectTypeOf<RequiredKeys<BackendProcessListOptionsDTO>>().toEqualTypeOf<never>();
    expectTypeOf<keyof FrontendProcessStopOptionsDTO>().toEqualTypeOf<'userId' | 'reason'>();
    expectTypeOf<keyof BackendProcessStopOptionsDTO>().toEqualTypeOf<'userId' | 'reason'>();
  });
});

describe('SpindleManifest', () => {
  it('has the spindle.json fields of docs/architecture.md', () => {
    expectTypeOf<RequiredKeys<SpindleManifest>>().toEqualTypeOf<
      'version' | 'name' | 'identifier' | 'author' | 'github' | 'homepage' | 'permissions'
    >();
    expectTypeOf<OptionalKeys<SpindleManifest>>().toEqualTypeOf<
      | 'description'
      | 'requested_capabilities'
      | 'entry_backend'
      | 'entry_frontend'
      | 'entry_frontend_widget'
      | 'minimum_lumiverse_version'
      | 'storage_seed_files'
      | 'interceptorTimeoutMs'
      | 'activation'
      | 'activationEvents'
      | 'keepAlive'
    >();
    expectTypeOf<SpindleManifest['permissions']>().toEqualTypeOf<SpindlePermission[]>();
  });
});
