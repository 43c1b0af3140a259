// Builds the renderer into static files the engine serves at `/` (renderer/dist). Everything is
// bundled: the UI must work offline and under the engine's CSP (script-src 'self', no inline code).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte()],
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    target: 'es2022',
    // One small app: a single chunk loads faster than a waterfall on first render.
    chunkSizeWarningLimit: 400,
    modulePreload: { polyfill: false },
  },
  server: {
    // `npm run dev:ui`: the dev server proxies the API to a running `petri serve` (PETRI_API).
    proxy: {
      '/api': { target: process.env.PETRI_API ?? 'http://127.0.0.1:4710', ws: true, changeOrigin: false },
    },
  },
});
