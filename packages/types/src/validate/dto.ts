/**
 * Schemas of the DTOs carried inside protocol messages: lifecycle events, list and stop
 * options, serialized errors, runtime stats, extension info. Spawn options live in
 * `options.ts`, where their own validators are.
 */
import * as v from 'valibot';
import type {
  BackendProcessLifecycleEventDTO,
  BackendProcessListOptionsDTO,
  BackendProcessStopOptionsDTO,
  FrontendProcessLifecycleEventDTO,
  FrontendProcessListOptionsDTO,
  FrontendProcessStopOptionsDTO,
} from '../dto.ts';
import type { SerializedError } from '../errors.ts';
import type { RuntimeStatsEvent } from '../runtime.ts';
import type { ExtensionInfoDTO } from '../wire-protocol.ts';
import {
  ACTIVATION_POLICIES,
  BACKEND_EXIT_REASONS,
  EXTENSION_STATES,
  FRONTEND_EXIT_REASONS,
  PROCESS_STATES,
  RUNTIME_EXIT_REASONS,
  RUNTIME_MODE_VALUES,
  SANDBOX_LAYERS,
  SPINDLE_ERROR_CODES,
  STATS_PHASES,
} from './enums.ts';
import { counter, id, isPlainObject, key, kind, nonNegative, obj, plainRecord } from './fields.ts';
import { manifestSchema } from './manifest.ts';
import type { Expect, InSync } from './sync.ts';

const state = v.picklist(PROCESS_STATES);

const serializedErrorEntries = {
  name: v.string(),
  message: v.string(),
  code: v.optional(v.picklist(SPINDLE_ERROR_CODES)),
  details: v.optional(plainRecord),
  stack: v.optional(v.string()),
};

/** `SerializedError`, `cause` included (its depth is bounded by the input walk). */
export const serializedErrorSchema = obj({
  ...serializedErrorEntries,
  cause: v.optional(v.lazy(() => serializedErrorSchema)),
}) as unknown as v.GenericSchema<unknown, SerializedError>;

// The recursive schema needs an annotation, which alone would not notice a new optional field.
type _SerializedError = Expect<
  InSync<
    v.InferOutput<v.ObjectSchema<typeof serializedErrorEntries, undefined>> & {
      cause?: SerializedError;
    },
    SerializedError
  >
>;

/** `FrontendProcessLifecycleEventDTO`. */
export const frontendLifecycleSchema = obj({
  processId: id,
  kind,
  key: v.optional(key),
  userId: v.optional(id),
  state,
  previousState: v.optional(state),
  at: v.string(),
  exitReason: v.optional(v.picklist(FRONTEND_EXIT_REASONS)),
  error: v.optional(v.string()),
  metadata: v.optional(plainRecord),
});

/** `BackendProcessLifecycleEventDTO`. */
export const backendLifecycleSchema = obj({
  processId: id,
  entry: v.string(),
  kind,
  key: v.optional(key),
  userId: v.optional(id),
  state,
  previousState: v.optional(state),
  at: v.string(),
  exitReason: v.optional(v.picklist(BACKEND_EXIT_REASONS)),
  error: v.optional(v.string()),
  metadata: v.optional(plainRecord),
});

const listEntries = {
  userId: v.optional(id),
  kind: v.optional(kind),
  key: v.optional(key),
  state: v.optional(state),
};

/** `FrontendProcessListOptionsDTO`. */
export const frontendListSchema = obj(listEntries);
/** `BackendProcessListOptionsDTO`. */
export const backendListSchema = obj(listEntries);

const stopEntries = { userId: v.optional(id), reason: v.optional(v.string()) };
/** `FrontendProcessStopOptionsDTO`. */
export const frontendStopSchema = obj(stopEntries);
/** `BackendProcessStopOptionsDTO`. */
export const backendStopSchema = obj(stopEntries);

/** `RuntimeStatsEvent`. */
export const runtimeStatsSchema = obj({
  extension: id,
  extensionId: id,
  identifier: id,
  name: v.string(),
  runtimeMode: v.picklist(RUNTIME_MODE_VALUES),
  phase: v.picklist(STATS_PHASES),
  at: v.string(),
  pid: v.optional(counter),
  rssKb: v.optional(nonNegative),
  pssKb: v.optional(nonNegative),
  ussKb: v.optional(nonNegative),
  startupMs: v.optional(nonNegative),
  cpuUserMs: v.optional(nonNegative),
  cpuSystemMs: v.optional(nonNegative),
  sandbox: v.optional(v.union([v.array(v.picklist(SANDBOX_LAYERS)), v.literal('unavailable')])),
  exitReason: v.optional(v.picklist(RUNTIME_EXIT_REASONS)),
  unmeasured: v.optional(v.array(v.string())),
  note: v.optional(v.string()),
});

/** `SpindleHostDescriptorV1`. */
export const hostDescriptorSchema = obj({
  descriptorVersion: v.literal(1),
  lumiverseVersion: v.string(),
  capabilities: v.custom<Record<string, number>>(
    (value) =>
      isPlainObject(value) &&
      Object.values(value).every((n) => typeof n === 'number' && Number.isFinite(n)),
    'must map capability names to numbers',
  ),
  extensionInstallationId: v.string(),
});

/** `ExtensionInfoDTO`. */
export const extensionInfoSchema = obj({
  identifier: id,
  manifest: manifestSchema,
  state: v.picklist(EXTENSION_STATES),
  error: v.optional(v.string()),
  runtimeMode: v.optional(v.picklist(RUNTIME_MODE_VALUES)),
  exitReason: v.optional(v.picklist(RUNTIME_EXIT_REASONS)),
  frontendUrl: v.optional(v.string()),
  host: v.optional(hostDescriptorSchema),
  grantedPermissions: v.optional(v.array(v.string())),
  activation: v.optional(
    obj({
      policy: v.picklist(ACTIVATION_POLICIES),
      activating: v.boolean(),
      idleAfterMs: v.optional(counter),
      lastExitReason: v.optional(v.string()),
    }),
  ),
});

type _Dtos = [
  Expect<InSync<v.InferOutput<typeof frontendLifecycleSchema>, FrontendProcessLifecycleEventDTO>>,
  Expect<InSync<v.InferOutput<typeof backendLifecycleSchema>, BackendProcessLifecycleEventDTO>>,
  Expect<InSync<v.InferOutput<typeof frontendListSchema>, FrontendProcessListOptionsDTO>>,
  Expect<InSync<v.InferOutput<typeof backendListSchema>, BackendProcessListOptionsDTO>>,
  Expect<InSync<v.InferOutput<typeof frontendStopSchema>, FrontendProcessStopOptionsDTO>>,
  Expect<InSync<v.InferOutput<typeof backendStopSchema>, BackendProcessStopOptionsDTO>>,
  Expect<InSync<v.InferOutput<typeof runtimeStatsSchema>, RuntimeStatsEvent>>,
  Expect<InSync<v.InferOutput<typeof extensionInfoSchema>, ExtensionInfoDTO>>,
];
