/**
 * The hook where frontend process supervision (`src/processes/frontend/`) plugs into the
 * `ProcessService`. Until it is there, frontend process requests reject with a clear error.
 */
import { SpindleError } from '@spindle/types';
import type { FrontendGateway } from '../frontend/gateway.ts';
import type { ProcessLogger } from './logger.ts';
import type { SupervisorLimits, SupervisorTimers } from './machine/index.ts';
import type { ExtensionProcessContext, ProcessRequestMessage } from './service.ts';

/** `frontend_process_*` messages of a runtime. */
export type FrontendProcessMessage = Extract<
  ProcessRequestMessage,
  { type: `frontend_process_${string}` }
>;

/** What the frontend process supervisor offers the service. */
export interface FrontendProcessSupervision {
  /** Same contract as `ProcessService.handle`, for `frontend_process_*` messages. */
  handle(ext: ExtensionProcessContext, message: FrontendProcessMessage): Promise<unknown>;
  /** Ends the extension's frontend processes (`backend_unloaded`). */
  unloadExtension(extensionId: string): Promise<void>;
  /** Ends everything (`HOST_CLOSING`). */
  close(): Promise<void>;
  /** Processes of the extension that have not ended. @default 0 */
  liveCount?(extensionId: string): number;
}

/** What a frontend supervision factory receives from `createProcessService`. */
export interface FrontendSupervisionDeps {
  gateway: FrontendGateway | undefined;
  timers: SupervisorTimers;
  logger: ProcessLogger;
  limits: SupervisorLimits;
}

/** Builds the frontend process supervision of a service. */
export type FrontendSupervisionFactory = (
  deps: FrontendSupervisionDeps,
) => FrontendProcessSupervision;

/** Placeholder until `src/processes/frontend/` exists: every request rejects with `INTERNAL`. */
export const unavailableFrontendSupervision: FrontendSupervisionFactory = () => ({
  handle: async (_ext, message) => {
    throw new SpindleError('INTERNAL', 'frontend process supervision is not available yet', {
      details: { type: message.type },
    });
  },
  unloadExtension: async () => {},
  close: async () => {},
});
