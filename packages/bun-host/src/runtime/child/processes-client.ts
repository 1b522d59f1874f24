/**
 * `spindle.frontendProcesses` and `spindle.backendProcesses` on the runtime side: requests to
 * the host's process supervision, and the lifecycle/message events it posts back. Shapes follow
 * upstream: `send(processId, payload, userId?)`, `stop()` resolving to nothing, and `onMessage`
 * handlers receiving one `{ processId, payload, userId }` event.
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
  SpindleProcessMessageEvent,
  WorkerToHost,
} from '@spindle/types';
import { SpindleError } from '@spindle/types/errors';
import { spawnOptionsProblem } from '@spindle/types/spawn-checks';
import { HandlerSet } from '../channel.ts';
import type { RequestTable } from './rpc.ts';

/** Handlers fed by the host's `*_lifecycle` / `*_message` messages. */
export class ProcessEvents<Event> {
  readonly lifecycle = new HandlerSet<Event>();
  readonly messages = new HandlerSet<SpindleProcessMessageEvent>();
}

/** Which supervisor a client or handle talks to. */
type Side = 'frontend' | 'backend';
type Request = Parameters<RequestTable['request']>[0];
type Post = (message: WorkerToHost) => void;

function withUser<T extends object>(options: T | undefined, userId: string | undefined): T {
  return { ...(userId === undefined ? {} : { userId }), ...options } as T;
}

function postSend(post: Post, side: Side, processId: string, payload: unknown, userId?: string) {
  post({
    type: `${side}_process_send`,
    processId,
    payload,
    ...(userId === undefined ? {} : { userId }),
  } as WorkerToHost);
}

/**
 * A process handle: requests go to the `<side>_process_*` messages of the host; `stop` and
 * `refresh` keep `info` current.
 */
class ProcessHandleBase<Info extends FrontendProcessInfoDTO | BackendProcessInfoDTO> {
  constructor(
    public info: Info,
    private readonly side: Side,
    private readonly rpc: RequestTable,
    private readonly post: Post,
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
    postSend(this.post, this.side, this.processId, payload, this.info.userId || undefined);
  }
  async stop(options?: FrontendProcessStopOptionsDTO | BackendProcessStopOptionsDTO) {
    this.update(
      await this.rpc.request<Info | null>({
        type: `${this.side}_process_stop`,
        processId: this.processId,
        options: withUser(options, this.info.userId),
      } as Request),
    );
  }
  async refresh() {
    return this.update(
      await this.rpc.request<Info | null>({
        type: `${this.side}_process_get`,
        processId: this.processId,
      } as Request),
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

/** The members both clients share; `spawn` differs only in its handle class. */
function createClient<Info extends FrontendProcessInfoDTO | BackendProcessInfoDTO, Event>(
  side: Side,
  rpc: RequestTable,
  post: Post,
  events: ProcessEvents<Event>,
  makeHandle: (info: Info) => FrontendHandle | BackendHandle,
) {
  return {
    async spawn(options: unknown) {
      // The common mistakes reject here, before a trip to the host (which checks everything).
      const problem = spawnOptionsProblem(side, options);
      if (problem !== undefined) {
        throw new SpindleError('INVALID_OPTIONS', problem.message, {
          details: { path: problem.path === '' ? 'options' : `options.${problem.path}` },
        });
      }
      const info = await rpc.request<Info>({
        type: `${side}_process_spawn`,
        options,
      } as Request);
      return makeHandle(info);
    },
    list: (filter?: object) =>
      rpc.request<Info[]>({
        type: `${side}_process_list`,
        ...(filter ? { filter } : {}),
      } as Request),
    get: (processId: string) =>
      rpc.request<Info | null>({ type: `${side}_process_get`, processId } as Request),
    async stop(processId: string, options?: object) {
      await rpc.request<Info | null>({
        type: `${side}_process_stop`,
        processId,
        ...(options ? { options } : {}),
      } as Request);
    },
    send(processId: string, payload: unknown, userId?: string) {
      postSend(post, side, processId, payload, userId);
    },
    onLifecycle: (handler: (event: Event) => void) => events.lifecycle.add(handler),
    onMessage: (handler: (event: SpindleProcessMessageEvent) => void) =>
      events.messages.add(handler),
  };
}

/** Builds `spindle.frontendProcesses`. */
export function createFrontendProcessesClient(
  rpc: RequestTable,
  post: Post,
  events: ProcessEvents<FrontendProcessLifecycleEventDTO>,
): SpindleFrontendProcessesAPI {
  return Object.freeze(
    createClient<FrontendProcessInfoDTO, FrontendProcessLifecycleEventDTO>(
      'frontend',
      rpc,
      post,
      events,
      (info) => new FrontendHandle(info, 'frontend', rpc, post),
    ),
  ) as SpindleFrontendProcessesAPI;
}

/** Builds `spindle.backendProcesses`. */
export function createBackendProcessesClient(
  rpc: RequestTable,
  post: Post,
  events: ProcessEvents<BackendProcessLifecycleEventDTO>,
): SpindleBackendProcessesAPI {
  return Object.freeze(
    createClient<BackendProcessInfoDTO, BackendProcessLifecycleEventDTO>(
      'backend',
      rpc,
      post,
      events,
      (info) => new BackendHandle(info, 'backend', rpc, post),
    ),
  ) as SpindleBackendProcessesAPI;
}
