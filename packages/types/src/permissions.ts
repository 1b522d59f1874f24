/**
 * Permission names an extension may request in `spindle.json`, as listed by
 * `lumiverse-spindle-types` 0.6.20. A manifest may name others (newer hosts add some): they are
 * kept in the manifest and reported, never fatal (see `unknownPermissions`).
 */

/** A permission known to this release. */
export type SpindlePermission =
  | 'generation'
  | 'interceptor'
  | 'tools'
  | 'cors_proxy'
  | 'context_handler'
  | 'ephemeral_storage'
  | 'chat_mutation'
  | 'event_tracking'
  | 'ui_panels'
  | 'app_manipulation'
  | 'oauth'
  | 'characters'
  | 'chats'
  | 'presets'
  | 'world_books'
  | 'regex_scripts'
  | 'regex_scripts_unrestricted'
  | 'databanks'
  | 'memories'
  | 'media'
  | 'personas'
  | 'push_notification'
  | 'image_gen'
  | 'images'
  | 'generation_parameters'
  | 'macro_interceptor'
  | 'web_search'
  | 'unsafe_eval'
  | 'final_response'
  | 'providers.embedding.register'
  | 'providers.tts.register'
  | 'providers.stt.register'
  | 'providers.sidecar.register';

/** Every `SpindlePermission`, in declaration order. */
export const ALL_PERMISSIONS = [
  'generation',
  'interceptor',
  'tools',
  'cors_proxy',
  'context_handler',
  'ephemeral_storage',
  'chat_mutation',
  'event_tracking',
  'ui_panels',
  'app_manipulation',
  'oauth',
  'characters',
  'chats',
  'presets',
  'world_books',
  'regex_scripts',
  'regex_scripts_unrestricted',
  'databanks',
  'memories',
  'media',
  'personas',
  'push_notification',
  'image_gen',
  'images',
  'generation_parameters',
  'macro_interceptor',
  'web_search',
  'unsafe_eval',
  'final_response',
  'providers.embedding.register',
  'providers.tts.register',
  'providers.stt.register',
  'providers.sidecar.register',
] as const satisfies readonly SpindlePermission[];

type _AllPermissions = [SpindlePermission] extends [(typeof ALL_PERMISSIONS)[number]]
  ? true
  : never;
const _allPermissions: _AllPermissions = true;
void _allPermissions;

const KNOWN = new Set<string>(ALL_PERMISSIONS);

/** True when `name` is a permission this release knows. */
export function isKnownPermission(name: string): name is SpindlePermission {
  return KNOWN.has(name);
}

/** The names in `permissions` this release does not know (kept in the manifest, reported). */
export function unknownPermissions(permissions: readonly string[]): string[] {
  return permissions.filter((name) => !KNOWN.has(name));
}

/**
 * Install-time capability declarations of `spindle.json` (`requested_capabilities`), as in
 * upstream; unknown values are kept like unknown permissions.
 */
export type SpindleCapability = 'dynamic_code_execution' | 'base64_decode';
