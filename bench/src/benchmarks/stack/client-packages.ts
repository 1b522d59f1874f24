/**
 * The browser half of the stack, imported by path (see `packages.ts`): the host bridge and the
 * frontend SDK. Neither touches Bun, so this module also goes into the Chromium page bundle.
 */
export {
  createExtensionHost,
  type ExtensionHost,
  yieldMicrotask,
} from '../../../../packages/frontend-sdk/src/index.ts';
export { connectHostBridge, type HostBridge } from '../../../../packages/host-bridge/src/index.ts';
