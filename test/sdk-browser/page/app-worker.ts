/**
 * An app's own isolation-worker entry written the way the SDK README suggests: a side-effect
 * import of `@spindle/frontend-sdk/worker`. Bundled only by the packaging test.
 */
import '@spindle/frontend-sdk/worker';
