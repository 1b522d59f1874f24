/**
 * One load from `loading` to `mounted` (or `error`): import in a lane under the import deadline,
 * run `setup` in a lane, await an async setup outside the lanes under the setup deadline. Every
 * wait also ends when the load is superseded or unloaded, so a stale load never runs further.
 *
 * An import still pending after `laneHoldMs` hands its lane to the next bundle and keeps waiting
 * outside the lanes; once it arrives, its `setup` takes a lane again. A hung import therefore
 * costs the others `laneHoldMs` of one lane, not the whole import deadline.
 */
import { SpindleError } from '@spindle/types';
import type { Timers } from '../timers.ts';
import type { Lanes } from './lanes.ts';
import type { LoadRecord, RealmConnection, RealmConnector } from './record.ts';

/**
 * How long a pending import may keep its lane.
 * @default 100
 */
export const DEFAULT_LANE_HOLD_MS = 100;

/** Settings of the load pipeline. */
export interface LoadPipelineOptions {
  timers: Timers;
  lanes: Lanes;
  importTimeoutMs: number;
  setupTimeoutMs: number;
  laneHoldMs: number;
  isCurrent(record: LoadRecord): boolean;
}

type Outcome<T> = { kind: 'value'; value: T } | { kind: 'cancelled' } | { kind: 'timeout' };

interface Deadline {
  readonly expired: Promise<{ kind: 'timeout' }>;
  /** True once the timer fired. */
  readonly fired: boolean;
  clear(): void;
}

/** Creates the function that drives one load. */
export function createLoadPipeline(
  options: LoadPipelineOptions,
): (record: LoadRecord, connector: RealmConnector) => Promise<void> {
  const { timers, lanes, importTimeoutMs, setupTimeoutMs, laneHoldMs } = options;

  const deadline = (ms: number): Deadline => {
    let timer: unknown;
    let fired = false;
    const expired = new Promise<{ kind: 'timeout' }>((resolve) => {
      timer = timers.setTimeout(() => {
        fired = true;
        resolve({ kind: 'timeout' });
      }, ms);
    });
    return {
      expired,
      get fired() {
        return fired;
      },
      clear: () => timers.clearTimeout(timer),
    };
  };

  const until = <T>(
    promise: Promise<T>,
    record: LoadRecord,
    ...deadlines: Deadline[]
  ): Promise<Outcome<T>> =>
    Promise.race<Outcome<T>>([
      promise.then((value) => ({ kind: 'value', value })),
      record.cancelled.then(() => ({ kind: 'cancelled' })),
      ...deadlines.map((d) => d.expired),
    ]);

  return async (record, connector) => {
    const live = () => options.isCurrent(record) && record.state === 'loading';
    if (!live()) return;
    let importDeadline: Deadline | undefined;
    try {
      const connection: RealmConnection = connector(record, record.port());
      record.connection = connection;
      let importing: Promise<void> | undefined;
      const importTimedOut = () =>
        new SpindleError(
          'IMPORT_TIMEOUT',
          `bundle of extension ${record.extensionId} did not finish importing within ${importTimeoutMs} ms`,
          { details: { extensionId: record.extensionId, importTimeoutMs } },
        );

      type Step = { kind: 'stop' } | { kind: 'detached' } | { kind: 'setup'; setup: Promise<void> };
      const inLane = async (): Promise<Step> => {
        if (!live()) return { kind: 'stop' };
        if (importing === undefined) {
          importDeadline = deadline(importTimeoutMs);
          importing = connection.load();
          importing.catch(() => {});
        }
        const hold = deadline(laneHoldMs);
        try {
          const imported = await until(importing, record, importDeadline!, hold);
          if (imported.kind === 'cancelled') return { kind: 'stop' };
          if (imported.kind === 'timeout') {
            if (importDeadline!.fired) throw importTimedOut();
            return { kind: 'detached' };
          }
        } finally {
          hold.clear();
        }
        importDeadline?.clear();
        if (!live()) return { kind: 'stop' };
        // The synchronous part of setup runs inside the lane; an async remainder does not hold it.
        const setup = connection.setup();
        setup.catch(() => {});
        return { kind: 'setup', setup };
      };

      let step = await until(lanes.run(inLane), record);
      while (step.kind === 'value' && step.value.kind === 'detached') {
        const arrived = await until(importing!, record, importDeadline!);
        if (arrived.kind === 'cancelled') return;
        if (arrived.kind === 'timeout') throw importTimedOut();
        step = await until(lanes.run(inLane), record);
      }
      if (step.kind !== 'value' || step.value.kind !== 'setup') return;

      const setupDeadline = deadline(setupTimeoutMs);
      const setupDone = await until(step.value.setup, record, setupDeadline).finally(
        setupDeadline.clear,
      );
      if (setupDone.kind === 'timeout') {
        throw new SpindleError(
          'SETUP_FAILED',
          `setup() of extension ${record.extensionId} did not finish within ${setupTimeoutMs} ms`,
          { details: { extensionId: record.extensionId, setupTimeoutMs } },
        );
      }
      if (setupDone.kind !== 'value' || !live()) return;
      record.mounted();
    } catch (error) {
      // A stale load is unloaded by whoever superseded it; only the current one reports.
      if (options.isCurrent(record)) record.fail(error);
    } finally {
      importDeadline?.clear();
    }
  };
}
