/** Character devices for the Landlock policy (Node-loadable, shared by both launchers). */

/** Devices every child may read and write. */
export const SANDBOX_DEVICES: readonly string[] = [
  '/dev/null',
  '/dev/zero',
  '/dev/full',
  '/dev/random',
  '/dev/urandom',
];
