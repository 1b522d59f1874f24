/** Pins the validator API other packages code against (BRIEF "Validators"). */
import { describe, expectTypeOf, it } from 'vitest';
import {
  type BackendProcessSpawnOptionsDTO,
  type BackendProcessToHost,
  type ClientFrame,
  checkBackendProcessEntry,
  clampHeartbeatTimeout,
  clampStartupTimeout,
  type FrontendProcessSpawnOptionsDTO,
  type HostToBackendProcess,
  type HostToWorker,
  type ServerFrame,
  type SpindleErrorCode,
  type SpindleManifest,
  type ValidationIssue,
  type ValidationResult,
  validateBackendProcessSpawnOptions,
  validateBackendProcessToHost,
  validateClientFrame,
  validateFrontendProcessSpawnOptions,
  validateHostToBackendProcess,
  validateHostToWorker,
  validateManifest,
  validateServerFrame,
  validateWorkerToHost,
  type WorkerToHost,
} from '../src/index.ts';

describe('validator signatures', () => {
  it('take unknown and return a ValidationResult of the protocol type', () => {
    expectTypeOf(validateClientFrame).toEqualTypeOf<
      (input: unknown, opts?: { maxFrameBytes?: number }) => ValidationResult<ClientFrame>
    >();
    expectTypeOf(validateServerFrame).returns.toEqualTypeOf<ValidationResult<ServerFrame>>();
    expectTypeOf(validateWorkerToHost).returns.toEqualTypeOf<ValidationResult<WorkerToHost>>();
    expectTypeOf(validateHostToWorker).returns.toEqualTypeOf<ValidationResult<HostToWorker>>();
    expectTypeOf(validateBackendProcessToHost).returns.toEqualTypeOf<
      ValidationResult<BackendProcessToHost>
    >();
    expectTypeOf(validateHostToBackendProcess).returns.toEqualTypeOf<
      ValidationResult<HostToBackendProcess>
    >();
    expectTypeOf(validateFrontendProcessSpawnOptions).toEqualTypeOf<
      (input: unknown) => ValidationResult<FrontendProcessSpawnOptionsDTO>
    >();
    expectTypeOf(validateBackendProcessSpawnOptions).toEqualTypeOf<
      (input: unknown) => ValidationResult<BackendProcessSpawnOptionsDTO>
    >();
    expectTypeOf(checkBackendProcessEntry).toEqualTypeOf<
      (entry: string) => ValidationResult<string>
    >();
    expectTypeOf(validateManifest).toEqualTypeOf<
      (input: unknown) => ValidationResult<SpindleManifest>
    >();
    expectTypeOf(clampStartupTimeout).toEqualTypeOf<(ms?: number) => number>();
    expectTypeOf(clampHeartbeatTimeout).toEqualTypeOf<(ms?: number) => number>();
  });

  it('issues carry a code, a path and a message', () => {
    expectTypeOf<ValidationIssue['code']>().toEqualTypeOf<SpindleErrorCode>();
    expectTypeOf<ValidationIssue['path']>().toEqualTypeOf<string>();
    expectTypeOf<ValidationIssue['seq']>().toEqualTypeOf<number | undefined>();
    expectTypeOf<ValidationIssue['frameType']>().toEqualTypeOf<string | undefined>();
  });

  it('narrows on ok', () => {
    const result = validateClientFrame('{}');
    if (result.ok) {
      expectTypeOf(result.value).toEqualTypeOf<ClientFrame>();
      // @ts-expect-error a success has no error
      void result.error;
    } else {
      expectTypeOf(result.error).toEqualTypeOf<ValidationIssue>();
      // @ts-expect-error a failure has no value
      void result.value;
    }
    // @ts-expect-error maxFrameBytes is a number
    validateClientFrame('{}', { maxFrameBytes: '1mb' });
  });
});
