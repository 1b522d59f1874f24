/**
 * `@spindle/types` at run time, loaded on first use. Its index pulls in every validator and
 * valibot, which costs several milliseconds of each runtime start; the bootstrap needs none of
 * it before `ready` (only the error helpers, on failure paths and after start).
 */

/** The runtime exports of `@spindle/types`. */
export type TypesModule = typeof import('@spindle/types');

let loading: Promise<TypesModule> | undefined;

/** Loads `@spindle/types` once; later calls share the same promise. */
export function loadTypes(): Promise<TypesModule> {
  loading ??= import('@spindle/types');
  return loading;
}
