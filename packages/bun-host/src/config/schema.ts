/**
 * The host's configuration file (`spindle.config.json`, docs/operations.md, "Configuration"):
 * its schema (valibot, strict: an unknown key is an error, so a typo is never ignored) and the
 * validator that words every problem with its path.
 */
import {
  EXTENSION_IDENTIFIER_PATTERN,
  RUNTIME_MODES,
  type SpindleRuntimeMode,
} from '@spindle/types';
import * as v from 'valibot';
import type { ActivationSettings } from '../activation/types.ts';
import { LOG_THRESHOLDS, type LogFormat, type LogThreshold } from '../log/logger.ts';
import { METRICS_ACCESS_VALUES, type MetricsAccess } from '../ops/routes.ts';

const ms = v.pipe(
  v.number('must be a number of milliseconds'),
  v.safeInteger('must be a whole number of milliseconds'),
  v.minValue(0, 'must not be negative'),
);
const positiveMs = v.pipe(ms, v.minValue(1, 'must be at least 1'));
const text = v.pipe(v.string('must be a string'), v.minLength(1, 'must not be empty'));
const identifier = v.pipe(
  v.string('must be a string'),
  v.regex(EXTENSION_IDENTIFIER_PATTERN, 'must be an extension identifier (/^[a-z][a-z0-9_]*$/)'),
);
const policy = v.picklist(['eager', 'lazy'], 'must be "eager" or "lazy"');
const flag = v.boolean('must be true or false');
const count = (minimum: number) =>
  v.pipe(
    v.number('must be a number'),
    v.safeInteger('must be a whole number'),
    v.minValue(minimum, minimum === 0 ? 'must not be negative' : `must be at least ${minimum}`),
  );

/** `RuntimeLimits` (`runtime/limits.ts`): 0 turns the memory cap and the watchdog off. */
const runtimeLimitsSchema = v.strictObject({
  memoryLimitMb: v.optional(count(0)),
  memorySampleMs: v.optional(count(1)),
  pingIntervalMs: v.optional(count(1)),
  pingTimeoutMs: v.optional(count(0)),
  inboundQueueBytes: v.optional(count(1)),
  maxLogLineBytes: v.optional(count(1)),
  logBurst: v.optional(count(1)),
  logIntervalMs: v.optional(count(1)),
});

const extensionSchema = v.strictObject({
  activation: v.optional(policy),
  idleAfterMs: v.optional(
    v.union([positiveMs, v.literal(false)], 'must be milliseconds ≥ 1 or false'),
  ),
  keepAlive: v.optional(v.boolean('must be true or false')),
});

/** Schema of the configuration file. */
export const configSchema = v.strictObject({
  /** Editors' JSON schema reference; ignored. */
  $schema: v.optional(v.string()),
  extensionsDir: v.optional(text),
  dataDir: v.optional(text),
  runtimeMode: v.optional(
    v.picklist(RUNTIME_MODES as SpindleRuntimeMode[], `must be one of ${RUNTIME_MODES.join(', ')}`),
  ),
  hostname: v.optional(text),
  port: v.optional(
    v.pipe(
      v.number('must be a port number'),
      v.safeInteger('must be a whole number'),
      v.minValue(0, 'must be in [0, 65535]'),
      v.maxValue(65_535, 'must be in [0, 65535]'),
    ),
  ),
  enable: v.optional(
    v.union([v.literal('all'), v.array(identifier)], 'must be "all" or a list of identifiers'),
  ),
  tokensFile: v.optional(text),
  cacheDir: v.optional(text),
  runtimeUser: v.optional(text),
  allowRootRuntimes: v.optional(flag),
  allowWeakerSandbox: v.optional(flag),
  pidsMax: v.optional(count(16)),
  runtimeLimits: v.optional(runtimeLimitsSchema),
  allowedOrigins: v.optional(
    v.array(
      v.pipe(
        v.string('must be a string'),
        v.regex(/^https?:\/\/[^/\s]+$/, 'must be an origin such as "https://app.example.com"'),
      ),
      'must be a list of origins',
    ),
  ),
  lumiverseVersion: v.optional(text),
  log: v.optional(
    v.strictObject({
      level: v.optional(
        v.picklist(LOG_THRESHOLDS as LogThreshold[], `must be one of ${LOG_THRESHOLDS.join(', ')}`),
      ),
      format: v.optional(
        v.picklist(['json', 'pretty'] as LogFormat[], 'must be "json" or "pretty"'),
      ),
    }),
  ),
  stats: v.optional(
    v.strictObject({
      enabled: v.optional(v.boolean('must be true or false')),
      sampleIntervalMs: v.optional(ms),
    }),
  ),
  metrics: v.optional(
    v.strictObject({
      access: v.optional(
        v.picklist(
          METRICS_ACCESS_VALUES as MetricsAccess[],
          `must be one of ${METRICS_ACCESS_VALUES.join(', ')}`,
        ),
      ),
    }),
  ),
  drain: v.optional(v.strictObject({ deadlineMs: v.optional(ms) })),
  activation: v.optional(
    v.strictObject({
      defaultPolicy: v.optional(policy),
      idleAfterMs: v.optional(positiveMs),
      maxActiveRuntimes: v.optional(
        v.pipe(
          v.number('must be a number'),
          v.safeInteger('must be a whole number'),
          v.minValue(1, 'must be at least 1'),
        ),
      ),
      capacityWaitMs: v.optional(ms),
      maxCapacityWaiters: v.optional(
        v.pipe(
          v.number('must be a number'),
          v.safeInteger('must be a whole number'),
          v.minValue(0, 'must not be negative'),
        ),
      ),
    }),
  ),
  extensions: v.optional(v.record(identifier, extensionSchema, 'must map identifiers to settings')),
});

/** The configuration file, validated. */
export type SpindleConfig = v.InferOutput<typeof configSchema>;

/** Outcome of `validateConfig`. */
export type ConfigResult =
  | { ok: true; value: SpindleConfig }
  | {
      ok: false;
      /** One line per problem: `path: message`. */
      problems: string[];
    };

/** Validates a parsed configuration object; never throws. */
export function validateConfig(input: unknown): ConfigResult {
  if (typeof input !== 'object' || input === null || Array.isArray(input)) {
    return { ok: false, problems: ['(root): must be a JSON object of settings'] };
  }
  const result = v.safeParse(configSchema, input, { abortPipeEarly: true });
  if (result.success) return { ok: true, value: result.output };
  return {
    ok: false,
    problems: result.issues.map((issue) => {
      const path = issue.path?.map((item) => String(item.key)).join('.') ?? '';
      const message =
        issue.type === 'strict_object'
          ? 'unknown setting (check the spelling; docs/operations.md lists every setting)'
          : issue.message;
      return `${path === '' ? '(root)' : path}: ${message}`;
    }),
  };
}

/** The activation part of a configuration, as the host takes it. */
export function activationOf(config: SpindleConfig): ActivationSettings {
  const a = config.activation ?? {};
  return {
    ...(a.defaultPolicy === undefined ? {} : { defaultPolicy: a.defaultPolicy }),
    ...(a.idleAfterMs === undefined ? {} : { idleAfterMs: a.idleAfterMs }),
    ...(a.maxActiveRuntimes === undefined ? {} : { maxActiveRuntimes: a.maxActiveRuntimes }),
    ...(a.capacityWaitMs === undefined ? {} : { capacityWaitMs: a.capacityWaitMs }),
    ...(a.maxCapacityWaiters === undefined ? {} : { maxCapacityWaiters: a.maxCapacityWaiters }),
    ...(config.extensions === undefined ? {} : { extensions: config.extensions }),
  };
}
