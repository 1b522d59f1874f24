/**
 * Versions a new project depends on. The `@spindle/*` packages are released together with this
 * one, so they get its own version; the tools are the versions the runtime itself is built and
 * tested with (a test keeps them equal to the repository's).
 */

/** Ranges of the tools of a generated project. */
export const TOOL_VERSIONS = {
  bun: '^1.4.5',
  'happy-dom': '^21.0.4',
  typescript: '~5.9.3',
  vitest: '^4.1.12',
} as const;
