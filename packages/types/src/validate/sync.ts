/**
 * Compile-time checks that keep the valibot schemas and the hand-written protocol types in
 * step: a field added, removed, renamed, retyped or made optional on one side only fails `tsc`.
 * Types only; nothing here exists at run time.
 */

/** Keys of `T` that may be absent. */
// biome-ignore lint/complexity/noBannedTypes: `{}` is the empty object a key's absence gives.
type OptionalKeys<T> = { [K in keyof T]-?: {} extends Pick<T, K> ? K : never }[keyof T];

/**
 * `T` with `| undefined` dropped from its optional properties, at every depth. valibot types an
 * optional entry `key?: X | undefined`, a hand-written type says `key?: X`; the two differ only
 * under `exactOptionalPropertyTypes`, which a consumer of this package may turn on, so the checks
 * compare both sides in this form and hold under either setting.
 */
export type Exact<T> = T extends (...args: never[]) => unknown
  ? T
  : T extends readonly (infer U)[]
    ? Exact<U>[]
    : T extends object
      ? {
          [K in keyof T as K extends OptionalKeys<T> ? never : K]: Exact<T[K]>;
        } & {
          [K in keyof T as K extends OptionalKeys<T> ? K : never]?: Exact<Exclude<T[K], undefined>>;
        }
      : T;

/** `true` when `A` and `B` are assignable both ways. */
export type Mutual<A, B> = [Exact<A>] extends [Exact<B>]
  ? [Exact<B>] extends [Exact<A>]
    ? true
    : false
  : false;

/** `true` when `A` and `B` have the same keys (optional ones included). */
export type SameKeys<A, B> = [keyof A] extends [keyof B]
  ? [keyof B] extends [keyof A]
    ? true
    : false
  : false;

/** `true` when two object types match field for field at the top level. */
export type InSync<A, B> = Mutual<A, B> extends true ? SameKeys<A, B> : false;

/** `true` when two discriminated unions on `type` match variant for variant. */
export type UnionInSync<A extends { type: string }, B extends { type: string }> = {
  [K in A['type'] | B['type']]: InSync<Extract<A, { type: K }>, Extract<B, { type: K }>>;
}[A['type'] | B['type']];

/** Compiles only when `T` is exactly `true`. */
export type Expect<T extends true> = T;
