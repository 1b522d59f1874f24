/**
 * Environment scrubbing for every child the host starts. The rule is an allowlist: a variable
 * reaches the child only when its name is listed below AND does not look like a secret.
 * Everything else (cloud credentials, API keys, database URLs, `NODE_OPTIONS`, `LD_PRELOAD`, …)
 * is dropped, because an extension must not read the host operator's secrets.
 */

/**
 * Names passed through as they are (unless they match `SECRET_NAME`): locale and terminal, Bun
 * knobs that change behaviour rather than identity, and the Termux variables a child that starts
 * Bun itself needs to wrap it the same way.
 */
export const ENV_ALLOW_EXACT: ReadonlySet<string> = new Set(
  `PATH HOME LANG LANGUAGE TZ TERM TMPDIR NODE_ENV NO_COLOR FORCE_COLOR
   BUN_RUNTIME_TRANSPILER_CACHE_PATH BUN_GARBAGE_COLLECTOR_LEVEL BUN_CONFIG_MAX_HTTP_REQUESTS
   BUN_DEBUG_QUIET_LOGS
   PREFIX ANDROID_ROOT ANDROID_DATA LUMIVERSE_BUN_PATH LUMIVERSE_BUN_METHOD LUMIVERSE_IS_TERMUX
   LUMIVERSE_IS_PROOT`.split(/\s+/),
);

/** Name prefixes passed through (unless they match `SECRET_NAME`). */
export const ENV_ALLOW_PREFIXES: readonly string[] = ['LC_', 'BUN_JSC_', 'LUMIVERSE_SPINDLE_'];

/** Names that look like secrets; dropped even when allowlisted. */
export const SECRET_NAME: RegExp =
  /(SECRET|TOKEN|PASSWORD|PASSWD|PASS_|_PASS$|KEY|CREDENTIAL|AUTH|COOKIE|SESSION|PRIVATE|SIGNATURE)/i;

/** True when `name` may reach a child (see the module comment for the rule). */
export function isAllowedEnvName(name: string): boolean {
  // The allowlist first: it rejects nearly every name with a set lookup and three prefix checks,
  // so the secret pattern only runs on the few names that could pass.
  const listed =
    ENV_ALLOW_EXACT.has(name) || ENV_ALLOW_PREFIXES.some((prefix) => name.startsWith(prefix));
  return listed && !SECRET_NAME.test(name);
}

/**
 * Copies the allowed variables of `env` (see `isAllowedEnvName`); `undefined` values and values
 * containing NUL are dropped.
 */
export function scrubEnv(env: Record<string, string | undefined>): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(env)) {
    if (value === undefined || value.includes('\0')) continue;
    if (isAllowedEnvName(name)) out[name] = value;
  }
  return out;
}
