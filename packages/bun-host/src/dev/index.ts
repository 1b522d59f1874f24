/**
 * The author toolkit of the host: the project build (`buildExtension`, the conventions of
 * `sources.ts`), the dev loop (`startDevLoop`), its log lines (`createDevLogger`) and the
 * `spindle-host dev` / `spindle-host build` commands.
 */
export {
  type BuildExtensionOptions,
  type BuildProblem,
  type BuiltEntry,
  buildExtension,
  type ExtensionBuildResult,
  formatProblem,
} from './build.ts';
export { buildExtensionsIn, reportBuild, runBuildCommand, runDevCommand } from './command.ts';
export {
  createDevLogger,
  type DevLogger,
  type DevLoggerOptions,
  shouldColor,
} from './log.ts';
export { type DevLoop, type DevLoopEvents, type DevLoopOptions, startDevLoop } from './loop.ts';
export {
  type BuildEntry,
  type ExtensionBuildPlan,
  type ExtensionPart,
  planExtensionBuild,
} from './sources.ts';
