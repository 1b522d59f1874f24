import { defineConfig } from 'tsdown';
import { packageConfig } from '../../scripts/build/package-config.ts';

export default defineConfig(
  packageConfig(import.meta.dirname, {
    entry: ['src/index.ts', 'src/cli.ts'],
    platform: 'node',
    target: 'node20',
    // The project templates, read at run time from `template/` next to the built modules.
    copy: [{ from: 'src/template', to: 'dist' }],
  }),
);
