import { defineConfig } from 'tsdown';
import { packageConfig } from '../../scripts/build/package-config.ts';

export default defineConfig(
  packageConfig(import.meta.dirname, {
    entry: ['src/index.ts', 'src/testing/index.ts', 'src/isolation/worker-entry.ts'],
    platform: 'browser',
    target: 'es2022',
  }),
);
