/**
 * `@spindle/types`: the DTOs mirrored from `lumiverse-spindle-types`, every wire protocol of the
 * project as a discriminated union, the shared error shape, and validators for every boundary
 * that receives untrusted input.
 */
export * from './api.ts';
export * from './dto.ts';
export * from './errors.ts';
export * from './host.ts';
export * from './manifest.ts';
export * from './permissions.ts';
export * from './runtime.ts';
export * from './services.ts';
export * from './spawn-checks.ts';
export * from './subprocess-protocol.ts';
export * from './validate/index.ts';
export * from './wire-protocol.ts';
export * from './worker-protocol.ts';
