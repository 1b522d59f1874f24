/** Pins the discriminants of every protocol union and the fields that routing relies on. */
import { describe, expectTypeOf, it } from 'vitest';
import type {
  BackendProcessToHost,
  ClientFrame,
  ClientFrameType,
  FrontendDownlink,
  FrontendUplink,
  HostToBackendProcess,
  HostToWorker,
  ServerFrame,
  ServerFrameType,
  SpindleErrorCode,
  WorkerToHost,
} from '../src/index.ts';

describe('wire protocol', () => {
  it('client frames', () => {
    expectTypeOf<ClientFrameType>().toEqualTypeOf<
      | 'hello'
      | 'ack'
      | 'ping'
      | 'extension_mounted'
      | 'extension_unmounted'
      | 'backend_message'
      | 'process_ready'
      | 'process_heartbeat'
      | 'process_message'
      | 'process_ended'
      | 'subscribe_stats'
    >();
    expectTypeOf<Extract<ClientFrame, { type: 'hello' }>>().toEqualTypeOf<{
      type: 'hello';
      protocolVersion: number;
      token: string;
      resumeSessionId?: string;
      lastServerSeq?: number;
    }>();
    // Every uplink travels with a seq.
    expectTypeOf<
      Extract<ClientFrame, { type: FrontendUplink['type'] }>['seq']
    >().toEqualTypeOf<number>();
  });

  it('server frames', () => {
    expectTypeOf<ServerFrameType>().toEqualTypeOf<
      | 'welcome'
      | 'ack'
      | 'pong'
      | 'error'
      | 'backend_message'
      | 'process_spawn'
      | 'process_message'
      | 'process_stop'
      | 'process_terminated'
      | 'extension_state'
      | 'extension_removed'
      | 'runtime_stats'
    >();
    expectTypeOf<
      Extract<ServerFrame, { type: 'error' }>['code']
    >().toEqualTypeOf<SpindleErrorCode>();
    expectTypeOf<
      Extract<ServerFrame, { type: FrontendDownlink['type'] }>['seq']
    >().toEqualTypeOf<number>();
    expectTypeOf<
      Extract<FrontendDownlink, { type: 'process_spawn' }>['startupTimeoutMs']
    >().toEqualTypeOf<number>();
  });

  it('rejects wrong shapes at compile time', () => {
    // @ts-expect-error an uplink needs its seq
    const noSeq: ClientFrame = { type: 'process_ready', processId: 'p' };
    // @ts-expect-error hello carries a numeric protocolVersion
    const badHello: ClientFrame = { type: 'hello', protocolVersion: '1', token: '' };
    // @ts-expect-error not a frame type
    const unknown: ServerFrame = { type: 'teleport' };
    void noSeq;
    void badHello;
    void unknown;
  });
});

describe('runtime ↔ host protocol', () => {
  it('WorkerToHost types', () => {
    expectTypeOf<WorkerToHost['type']>().toEqualTypeOf<
      | 'ready'
      | 'init_failed'
      | 'shutdown_complete'
      | 'pong'
      | 'log'
      | 'send_to_frontend'
      | 'storage'
      | 'user_storage'
      | 'frontend_process_spawn'
      | 'frontend_process_list'
      | 'frontend_process_get'
      | 'frontend_process_stop'
      | 'frontend_process_send'
      | 'backend_process_spawn'
      | 'backend_process_list'
      | 'backend_process_get'
      | 'backend_process_stop'
      | 'backend_process_send'
      | 'service_call'
      | 'permissions_get'
      | 'activity'
    >();
    // Requests carry a requestId; fire-and-forget messages do not.
    expectTypeOf<
      Extract<WorkerToHost, { type: 'frontend_process_spawn' }>['requestId']
    >().toEqualTypeOf<string>();
    expectTypeOf<Extract<WorkerToHost, { type: 'frontend_process_send' }>>().not.toHaveProperty(
      'requestId',
    );
  });

  it('HostToWorker types', () => {
    expectTypeOf<HostToWorker['type']>().toEqualTypeOf<
      | 'init'
      | 'shutdown'
      | 'ping'
      | 'frontend_message'
      | 'response'
      | 'services'
      | 'permissions'
      | 'event'
      | 'frontend_process_lifecycle'
      | 'frontend_process_message'
      | 'backend_process_lifecycle'
      | 'backend_process_message'
    >();
    // @ts-expect-error a response names the request it answers
    const response: HostToWorker = { type: 'response', result: 1 };
    void response;
  });
});

describe('host ↔ subprocess protocol', () => {
  it('both directions', () => {
    expectTypeOf<HostToBackendProcess['type']>().toEqualTypeOf<'init' | 'stop' | 'message'>();
    expectTypeOf<BackendProcessToHost['type']>().toEqualTypeOf<
      'ready' | 'heartbeat' | 'message' | 'complete' | 'fail' | 'stopped'
    >();
    expectTypeOf<
      Extract<BackendProcessToHost, { type: 'fail' }>['error']
    >().toEqualTypeOf<string>();
  });
});
