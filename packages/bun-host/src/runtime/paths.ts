/** Where the runtime bootstrap lives. */
import { fileURLToPath } from 'node:url';

/** Absolute path of the bootstrap every runtime starts with (subprocess and worker alike). */
export const CHILD_BOOTSTRAP_PATH = fileURLToPath(new URL('./child/main.ts', import.meta.url));
