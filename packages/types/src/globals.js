// `@spindle/types/globals` at run time: nothing. The declaration of the global `spindle` is
// `globals.d.ts` next to this file.
export {};
