/**
 * `create-spindle-extension` as a library: the generator behind `npm create spindle-extension`.
 */
export { type CreateOptions, parseCreateArgs, USAGE, UsageError } from './args.ts';
export {
  GenerateError,
  type GenerateOptions,
  generateProject,
  TEMPLATE_DIR,
  type Variant,
} from './generate.ts';
export { type CreateIO, ownVersion, processIO, runCreate } from './main.ts';
export {
  IDENTIFIER_PATTERN,
  PACKAGE_NAME_PATTERN,
  toDisplayName,
  toIdentifier,
  toPackageName,
} from './names.ts';
export { commandsOf, detectPackageManager, type PackageManager } from './package-manager.ts';
export { type RenderContext, render, TemplateError } from './render.ts';
export { TOOL_VERSIONS } from './versions.ts';
