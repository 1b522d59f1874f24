/**
 * `spindle.frontendProcesses` and `spindle.backendProcesses` on the runtime side: requests to
 * the host's process supervision, and the lifecycle/message events it posts back.
 */
import type {
  BackendProcessHandle,
  BackendProcessInfoDTO,
  BackendProcessLifecycleEventDTO,
  BackendProcessStopOptionsDTO,
  FrontendProcessHandle,
  FrontendProcessInfoDTO,
  FrontendProcessLifecycleEventDTO,
  FrontendProcessStopOptionsDTO,
  SpindleBackendProcessesAPI,
  SpindleFrontendProcessesAPI,
  WorkerToHost,
} from '@spindle/types';
import { HandlerSet } from '../channel.ts';
import type { RequestTable } from './rpc.ts';

type MessageHandler = (processId: string, payload: unknown, userId: string) => void;

/** Handlers fed by the host's `*_lifecycle` / `*_message` messages. */
export class ProcessEvents<Event> {
  readonly lifecycle = new HandlerSet<Event>();
  readonly messages = new HandlerSet<[string, unknown, string]>();
}

function withUser<T extends object>(options: T | undefined, userId: string | undefined): T {
  return { ...(userId === undefined ? {} : { userId }), ...options } as T;
}

/** Which supervisor a handle talks to. */
type Side = 'frontend' | 'backend';

/**
 * A process handle: requests go to the `<side>_process_*` messages of the host; `stop` and
 * `refresh` keep `info` current.
 */
class ProcessHandleBase<Info extends FrontendProcessInfoDTO | BackendProcessInfoDTO> {
  constructor(
    public info: Info,
    private readonly side: Side,
    private readonly rpc: RequestTable,
    private readonly post: (message: WorkerToHost) => void,
  ) {}
  get processId() {
    return this.info.processId;
  }
  get kind() {
    return this.info.kind;
  }
  get key() {
    return this.info.key;
  }
  send(payload: unknown): void {
    const { processId, userId } = this.info;
    this.post({
      type: `${this.side}_process_send`,
      processId,
      payload,
      ...(userId ? { userId } : {}),
    } as WorkerToHost);
  }
  async stop(options?: FrontendProcessStopOptionsDTO | BackendProcessStopOptionsDTO) {
    return this.update(
      await this.rpc.request<Info | null>({
        type: `${this.side}_process_stop`,
        processId: this.processId,
        options: withUser(options, this.info.userId),
      } as Parameters<RequestTable['request']>[0]),
    );
  }
  async refresh() {
    return this.update(
      await this.rpc.request<Info | null>({
        type: `${this.side}_process_get`,
        processId: this.processId,
      } as Parameters<RequestTable['request']>[0]),
    );
  }
  private update(info: Info | null): Info | null {
    if (info) this.info = info;
    return info;
  }
}

class FrontendHandle
  extends ProcessHandleBase<FrontendProcessInfoDTO>
  implements FrontendProcessHandle {}

class BackendHandle
  extends ProcessHandleBase<BackendProcessInfoDTO>
  implements BackendProcessHandle
{
  get entry() {
    return this.info.entry;
  }
}

/** Builds `spindle.frontendProcesses`. */
export function createFrontendProcessesClient(
  rpc: RequestTable,
  post: (message: WorkerToHost) => void,
  events: ProcessEvents<FrontendProcessLifecycleEventDTO>,
): SpindleFrontendProcessesAPI {
  return Object.freeze({
    spawn: async (options) =>
      new FrontendHandle(
        await rpc.request<FrontendProcessInfoDTO>({ type: 'frontend_process_spawn', options }),
        'frontend',
        rpc,
        post,
      ),
    list: (filter) =>
      rpc.request<FrontendProcessInfoDTO[]>({
        type: 'frontend_process_list',
        ...(filter ? { filter } : {}),
      }),
    get: (processId) =>
      rpc.request<FrontendProcessInfoDTO | null>({ type: 'frontend_process_get', processId }),
    stop: (processId, options) =>
      rpc.request<FrontendProcessInfoDTO | null>({
        type: 'frontend_process_stop',
        processId,
        ...(options ? { options } : {}),
      }),
    send: (processId, payload, options) =>
      post({
        type: 'frontend_process_send',
        processId,
        payload,
        ...(options?.userId ? { userId: options.userId } : {}),
      }),
    onLifecycle: (handler) => events.lifecycle.add(handler),
    onMessage: (handler: MessageHandler) =>
      events.messages.add(([processId, payload, userId]) => handler(processId, payload, userId)),
  } satisfies SpindleFrontendProcessesAPI);
}

/** Builds `spindle.backendProcesses`. */
export function createBackendProcessesClient(
  rpc: RequestTable,
  post: (message: WorkerToHost) => void,
  events: ProcessEvents<BackendProcessLifecycleEventDTO>,
): SpindleBackendProcessesAPI {
  return Object.freeze({
    spawn: async (options) =>
      new BackendHandle(
        await rpc.request<BackendProcessInfoDTO>({ type: 'backend_process_spawn', options }),
        'backend',
        rpc,
        post,
      ),
    list: (filter) =>
      rpc.request<BackendProcessInfoDTO[]>({
        type: 'backend_process_list',
        ...(filter ? { filter } : {}),
      }),
    get: (processId) =>
      rpc.request<BackendProcessInfoDTO | null>({ type: 'backend_process_get', processId }),
    stop: (processId, options) =>
      rpc.request<BackendProcessInfoDTO | null>({
        type: 'backend_process_stop',
        processId,
        ...(options ? { options } : {}),
      }),
    onLifecycle: (handler) => events.lifecycle.add(handler),
    onMessage: (handler: MessageHandler) =>
      events.messages.add(([processId, payload, userId]) => handler(processId, payload, userId)),
  } satisfies SpindleBackendProcessesAPI);
}
