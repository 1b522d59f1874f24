/**
 * Compile-time checks that keep the valibot schemas and the hand-written protocol types in
 * step: a field added, removed, renamed, retyped or made optional on one side only fails `tsc`.
 * Types only; nothing here exists at run time.
 */

/** `true` when `A` and `B` are assignable both ways. */
export type Mutual<A, B> = [A] extends [B] ? ([B] extends [A] ? true : false) : false;

/** `true` when `A` and `B` have the same keys (optional ones included). */
export type SameKeys<A, B> = Mutual<keyof A, keyof B>;

/** `true` when two object types match field for field at the top level. */
export type InSync<A, B> = Mutual<A, B> extends true ? SameKeys<A, B> : false;

/** `true` when two discriminated unions on `type` match variant for variant. */
export type UnionInSync<A extends { type: string }, B extends { type: string }> = {
  [K in A['type'] | B['type']]: InSync<Extract<A, { type: K }>, Extract<B, { type: K }>>;
}[A['type'] | B['type']];

/** Compiles only when `T` is exactly `true`. */
export type Expect<T extends true> = T;
