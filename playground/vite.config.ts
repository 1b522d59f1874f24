import { defineConfig } from 'vite';
import { spindleHostPlugin } from './scripts/host-plugin.ts';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [spindleHostPlugin()],
  server: {
    host: '127.0.0.1',
    port: 5173,
    // Built extension bundles and host data change at run time; they are not app sources.
    watch: { ignored: ['**/extensions/**', '**/.data/**'] },
  },
  // Pre-bundle what the SDK's worker realm imports, so the first worker-isolated load does not
  // make Vite discover a new dependency and reload the page.
  // Named through the package that depends on each (pnpm does not hoist them to the playground).
  optimizeDeps: {
    include: [
      '@spindle/frontend-sdk > comlink',
      '@spindle/frontend-sdk > mitt',
      '@spindle/types > valibot',
    ],
  },
  worker: { format: 'es' },
  build: { target: 'es2022' },
});
