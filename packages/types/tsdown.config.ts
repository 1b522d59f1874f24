import { defineConfig } from 'tsdown';
import { packageConfig } from '../../scripts/build/package-config.ts';

export default defineConfig(
  packageConfig(import.meta.dirname, {
    entry: ['src/index.ts', 'src/errors.ts', 'src/spawn-checks.ts', 'src/host.ts'],
    platform: 'neutral',
    target: 'es2022',
    // `@spindle/types/globals`: a hand-written declaration (a type reference resolves only
    // declaration files) and its empty run-time module, shipped as they are.
    copy: [
      { from: 'src/globals.d.ts', to: 'dist' },
      { from: 'src/globals.js', to: 'dist' },
    ],
  }),
);
