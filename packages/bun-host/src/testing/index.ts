/// <reference types="bun" preserve="true" />
/**
 * `@spindle/bun-host/testing`: a test kit for extension authors. `createBackendTestHost()` runs
 * an extension's backend half on the real host, with real tabs as the frontend, for `bun test`
 * or for vitest run on Bun (see the package README, "Testing a backend half").
 */
export { createTestClock, type TestClock } from './clock.ts';
export { type ExtensionSource, TEST_MANIFEST } from './extension-dir.ts';
export type { FrontendMessage, TestFrontend, TestTab, WaitOptions } from './frontend.ts';
export {
  type BackendTestHost,
  type BackendTestHostOptions,
  createBackendTestHost,
  type TestDeadlines,
  type TestProcesses,
} from './test-host.ts';
export { type WaitForOptions, waitFor } from './wait.ts';
