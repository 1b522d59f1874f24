import { defineConfig } from 'tsdown';
import { packageConfig } from '../../scripts/build/package-config.ts';

export default defineConfig(
  packageConfig(import.meta.dirname, {
    // The child bootstraps and launch scripts are reached by URL and built by `module-urls.ts`.
    entry: ['src/index.ts', 'src/testing/index.ts', 'src/cli/bin.ts'],
    // `neutral` leaves Bun's `require` (used by the entry loader) as it is, where `node` would
    // replace it with `createRequire(import.meta.url)`, which the bootstraps' CommonJS build
    // cannot keep.
    platform: 'neutral',
    target: 'esnext',
    copy: [{ from: 'src/cli/spindle-host', to: 'dist/cli' }],
  }),
);
