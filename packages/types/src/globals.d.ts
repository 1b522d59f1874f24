/**
 * `@spindle/types/globals`: declares the global `spindle` that a backend half runs with, typed as
 * `SpindleAPI`. One line brings it into a program, either in `tsconfig.json`:
 *
 * ```json
 * { "compilerOptions": { "types": ["@spindle/types/globals"] } }
 * ```
 *
 * or at the top of the backend entry: `/// <reference types="@spindle/types/globals" />`.
 * (Declarations are global to a program: a project whose frontend half shares the program sees
 * `spindle` there too, where it does not exist at run time; give the frontend a `tsconfig` of
 * its own when that matters.)
 *
 * App services the embedding app registers (`spindle.chat`) are typed by declaration merging on
 * `SpindleAPI` (docs/embedding.md):
 *
 * ```ts
 * declare module '@spindle/types' {
 *   interface SpindleAPI {
 *     readonly chat?: { getMessages(chatId: string): Promise<unknown[]> };
 *   }
 * }
 * ```
 *
 * This file is the declaration itself (a type reference resolves only declaration files); the
 * module `globals.js` next to it is empty, so importing `@spindle/types/globals` does nothing at
 * run time.
 */
import type { SpindleAPI } from './api.js';

declare global {
  /**
   * The backend global of an extension's backend half: messages to and from frontends, storage,
   * backend and frontend processes, logging, permissions, events, and the app's services.
   */
  const spindle: SpindleAPI;
}
