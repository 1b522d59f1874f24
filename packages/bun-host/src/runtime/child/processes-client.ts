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

class FrontendHandle implements FrontendProcessHandle {
  constructor(
    public info: FrontendProcessInfoDTO,
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
    this.post({ type: 'frontend_process_send', processId, payload, ...(userId ? { userId } : {}) });
  }
  async stop(options?: FrontendProcessStopOptionsDTO) {
    const info = await this.rpc.request<FrontendProcessInfoDTO | null>({
      type: 'frontend_process_stop',
      processId: this.processId,
      options: withUser(options, this.info.userId),
    });
    if (info) this.info = info;
    return info;
  }
  async refresh() {
    const info = await this.rpc.request<FrontendProcessInfoDTO | null>({
      type: 'frontend_process_get',
      processId: this.processId,
    });
    if (info) this.info = info;
    return info;
  }
}

class BackendHandle implements BackendProcessHandle {
  constructor(
    public info: BackendProcessInfoDTO,
    private readonly rpc: RequestTable,
    private readonly post: (message: WorkerToHost) => void,
  ) {}
  get processId() {
    return this.info.processId;
  }
  get entry() {
    return this.info.entry;
  }
  get kind() {
    return this.info.kind;
  }
  get key() {
    return this.info.key;
  }
  send(payload: unknown): void {
    const { processId, userId } = this.info;
    this.post({ type: 'backend_process_send', processId, payload, ...(userId ? { userId } : {}) });
  }
  async stop(options?: BackendProcessStopOptionsDTO) {
    const info = await this.rpc.request<BackendProcessInfoDTO | null>({
      type: 'backend_process_stop',
      processId: this.processId,
      options: withUser(options, this.info.userId),
    });
    if (info) this.info = info;
    return info;
  }
  async refresh() {
    const info = await this.rpc.request<BackendProcessInfoDTO | null>({
      type: 'backend_process_get',
      processId: this.processId,
    });
    if (info) this.info = info;
    return info;
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
