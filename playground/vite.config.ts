import { defineConfig } from 'vite';
import { spindleHostPlugin } from './scripts/host-plugin.ts';

export default defineConfig({
  root: import.meta.dirname,
  plugins: [spindleHostPlugin()],
  server: { host: '127.0.0.1', port: 5173 },
  build: { target: 'es2022' },
});
