import { defineConfig } from 'tsdown';
import { packageConfig } from '../../scripts/build/package-config.ts';

export default defineConfig(
  packageConfig(import.meta.dirname, {
    entry: ['src/index.ts', 'src/errors.ts', 'src/spawn-checks.ts', 'src/host.ts'],
    platform: 'neutral',
    target: 'es2022',
  }),
);
