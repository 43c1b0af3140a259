// Builds the renderer into static files the engine serves at `/` (renderer/dist). Everything is
// bundled: the UI must work offline and under the engine's CSP (script-src 'self', no inline code).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte(), preloadApp()],
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

/**
 * The entry script opens the engine stream first and imports the app afterwards (main.ts), so
 * Vite only asks for the app's chunks once the entry has run: one more round trip before first
 * render. This announces them in the HTML instead, fetched alongside the entry; the import then
 * finds them already loaded.
 */
function preloadApp(): Plugin {
  return {
    name: 'petri:preload-app',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      handler(html, ctx) {
        const bundle = ctx.bundle;
        if (!bundle) return [];
        const chunks = Object.values(bundle).filter((c) => c.type === 'chunk');
        const app = chunks.find((c) => c.facadeModuleId?.endsWith('/renderer/app.ts'));
        if (!app) throw new Error('preload-app: no chunk for renderer/app.ts');
        const files = new Set<string>();
        const css = new Set<string>();
        const visit = (name: string): void => {
          const chunk = chunks.find((c) => c.fileName === name);
          if (!chunk || files.has(name)) return;
          files.add(name);
          for (const f of chunk.viteMetadata?.importedCss ?? []) css.add(f);
          for (const dep of chunk.imports) visit(dep);
        };
        visit(app.fileName);
        const tags: HtmlTagDescriptor[] = [];
        const listed = (f: string): boolean => html.includes(`"./${f}"`); // the entry's own imports
        for (const f of [...files].filter((x) => !listed(x)))
          tags.push({ tag: 'link', attrs: { rel: 'modulepreload', crossorigin: true, href: `./${f}` }, injectTo: 'head' });
        for (const f of [...css].filter((x) => !listed(x)))
          tags.push({ tag: 'link', attrs: { rel: 'preload', as: 'style', crossorigin: true, href: `./${f}` }, injectTo: 'head' });
        return tags;
      },
    },
  };
}
