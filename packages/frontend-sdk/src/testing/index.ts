/**
 * `@spindle/frontend-sdk/testing`: a test kit for extension authors. `createTestContext()` mounts
 * a frontend half against a fake backend (see the package README for a worked example).
 */
export {
  createMemoryTransport,
  type MemoryTransportPair,
  type MemoryTransportRemote,
} from '../transport.ts';
export {
  createTestContext,
  type FakeBackend,
  type TestContext,
  type TestContextOptions,
  type TestProcess,
  type TestProcessEnd,
  type TestSpawnOptions,
} from './test-context.ts';
