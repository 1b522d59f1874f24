/**
 * Names of a new project: its folder, its npm package name, and the extension's identifier
 * (`spindle.json`), each derived from the folder name unless given, and checked.
 */

/** The identifier rule of `spindle.json` (the same as `EXTENSION_IDENTIFIER_PATTERN` of @spindle/types). */
export const IDENTIFIER_PATTERN = /^[a-z][a-z0-9_]*$/;

/** npm's rule for a package name (lower case, URL-safe, optionally scoped), up to 214 characters. */
export const PACKAGE_NAME_PATTERN = /^(?:@[a-z0-9-~][a-z0-9-._~]*\/)?[a-z0-9-~][a-z0-9-._~]*$/;

/** An extension identifier made from any name: `My Cool-Ext` → `my_cool_ext`. */
export function toIdentifier(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9_]+/g, '_')
    .replace(/_+/g, '_')
    .replace(/^_+|_+$/g, '');
  if (base === '') return 'extension';
  return /^[a-z]/.test(base) ? base : `ext_${base}`;
}

/** An npm package name made from a folder name: `My Ext!` → `my-ext`. */
export function toPackageName(name: string): string {
  const base = name
    .toLowerCase()
    .replace(/[^a-z0-9-._~]+/g, '-')
    .replace(/-+/g, '-')
    .replace(/^[-._]+|[-._]+$/g, '');
  return base === '' ? 'spindle-extension' : base.slice(0, 214);
}

/** A display name made from a folder name: `my-cool_ext` → `My cool ext`. */
export function toDisplayName(name: string): string {
  const words = name.replace(/[-_.\s]+/g, ' ').trim();
  if (words === '') return 'My extension';
  return words.charAt(0).toUpperCase() + words.slice(1);
}
