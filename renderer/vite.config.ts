// Builds the renderer into static files the engine serves at `/` (renderer/dist). Everything is
// bundled: the UI must work offline and under the engine's CSP (script-src 'self' plus the hash of
// the one inline script, the boot script — the engine computes it from the served index.html).
import { fileURLToPath } from 'node:url';
import { svelte } from '@sveltejs/vite-plugin-svelte';
import { build as esbuild } from 'esbuild';
import { defineConfig, type HtmlTagDescriptor, type Plugin } from 'vite';

const root = fileURLToPath(new URL('.', import.meta.url));

export default defineConfig({
  root,
  base: './',
  plugins: [svelte(), inlineBoot(), preloadApp()],
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
        // The lazy views' files (beyond the app's), for the page to fetch and compile when idle
        // without running them: see preloadViews in views/registry.ts.
        const lazy = new Set<string>();
        const visitLazy = (name: string): void => {
          const chunk = chunks.find((c) => c.fileName === name);
          if (!chunk || files.has(name) || lazy.has(name)) return;
          lazy.add(name);
          for (const f of chunk.viteMetadata?.importedCss ?? []) if (!css.has(f)) lazy.add(f);
          for (const dep of chunk.imports) visitLazy(dep);
        };
        for (const c of chunks)
          if (c.isDynamicEntry && /\/renderer\/views\/\w+View\.svelte$/.test(c.facadeModuleId ?? '')) visitLazy(c.fileName);
        tags.push({
          tag: 'meta',
          attrs: { name: 'petri-lazy', content: [...lazy].map((f) => `./${f}`).join(' ') },
          injectTo: 'head',
        });
        return tags;
      },
    },
  };
}

/**
 * Inlines renderer/boot.ts (bundled and minified) in the HTML head, after the meta tags (the
 * charset must stay in the first 1,024 bytes) and before any stylesheet (a classic script waits
 * for the stylesheets above it): it opens the engine stream while the HTML is still being parsed,
 * before any script file has been fetched.
 */
function inlineBoot(): Plugin {
  return {
    name: 'petri:inline-boot',
    apply: 'build',
    transformIndexHtml: {
      order: 'post',
      async handler(html): Promise<string> {
        const out = await esbuild({
          entryPoints: [fileURLToPath(new URL('./boot.ts', import.meta.url))],
          bundle: true,
          write: false,
          format: 'iife',
          target: 'es2022',
          minify: true,
          legalComments: 'none',
        });
        const code = out.outputFiles[0]!.text.trim();
        if (code.includes('</script')) throw new Error('inline-boot: the boot script cannot contain </script');
        if (!html.includes('<title>')) throw new Error('inline-boot: index.html has no <title> to put the boot script before');
        return html.replace('<title>', `<script>${code}</script>\n    <title>`);
      },
    },
  };
}
