// The web console's build: `npm run build` writes it to dist/console, which finflow serves at `/`.
// `npx vite --config console/vite.config.ts` runs it with hot reload against a finflow on :3000.
import path from 'node:path';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

export default defineConfig({
  root: import.meta.dirname,
  base: '/',
  plugins: [react()],
  build: {
    outDir: path.resolve(import.meta.dirname, '../dist/console'),
    emptyOutDir: true,
    // The decision editor and the charts are large; each page loads only what it uses.
    chunkSizeWarningLimit: 4000,
    sourcemap: false,
  },
  server: { proxy: { '/api': 'http://127.0.0.1:3000' } },
});
