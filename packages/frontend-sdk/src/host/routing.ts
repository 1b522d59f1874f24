/**
 * Where each message from the host goes: to an extension load, to a process driver, or out as
 * an event for the app. Nothing is dropped without an event and a counter.
 */
import type { FrontendDownlink } from '@spindle/types';
import type { HostCore, LoadRecord } from './record.ts';

/** Creates the downlink router of a host. */
export function createRouter(
  core: HostCore,
  current: (extensionId: string) => LoadRecord | undefined,
): (message: FrontendDownlink) => void {
  return (message) => {
    switch (message.type) {
      case 'backend_message': {
        const record = current(message.extensionId);
        if (record === undefined) {
          core.drop({
            what: 'backend_message',
            reason: 'not_loaded',
            direction: 'in',
            extensionId: message.extensionId,
          });
        } else record.backendMessage(message.payload);
        return;
      }
      case 'process_spawn': {
        const record = current(message.extensionId);
        if (record === undefined || record.state === 'error' || record.state === 'unloaded') {
          core.drop({
            what: 'process_spawn',
            reason: 'not_loaded',
            direction: 'in',
            extensionId: message.extensionId,
            processId: message.processId,
          });
          core.uplink({
            type: 'process_ended',
            processId: message.processId,
            outcome: 'failed',
            error: `[spindle] extension ${message.extensionId} is not loaded in this frontend session`,
          });
        } else if (core.processes.has(message.processId)) {
          core.drop({
            what: 'process_spawn',
            reason: 'duplicate_process',
            direction: 'in',
            extensionId: message.extensionId,
            processId: message.processId,
          });
        } else record.spawn(message);
        return;
      }
      case 'process_message': {
        const entry = core.processes.get(message.processId);
        if (entry === undefined) {
          core.drop({
            what: 'process_message',
            reason: 'unknown_process',
            direction: 'in',
            processId: message.processId,
          });
        } else entry.driver.deliver(message.payload);
        return;
      }
      case 'process_stop': {
        const entry = core.processes.get(message.processId);
        if (entry !== undefined) entry.driver.stop(message.reason, message.force);
        // Unknown here means it already ended here; say so, so the host does not wait for it.
        else
          core.uplink({
            type: 'process_ended',
            processId: message.processId,
            outcome: 'stopped',
          });
        return;
      }
      case 'process_terminated':
        core.processes
          .get(message.processId)
          ?.driver.terminate(message.state, message.exitReason, message.error);
        return;
      case 'extension_state':
        core.emit('extension_state', message.extension);
        return;
      case 'extension_removed':
        core.emit('extension_removed', { extensionId: message.extensionId });
        return;
      case 'runtime_stats':
        core.emit('runtime_stats', message.event);
        return;
    }
  };
}
