import { defineConfig } from 'vite';

// Built by `npm run build` (after `nest build`) into console/dist, which the service serves at
// /console/ (src/console/console-assets.ts). Outside dist/ on purpose: `nest build` and `nest start`
// empty dist/. Vite 8 compiles TSX itself (Oxc); no React plugin is needed for a production bundle.
const consoleDir = decodeURIComponent(new URL('.', import.meta.url).pathname);

export default defineConfig({
  root: consoleDir,
  base: '/console/',
  // No .env files or public/ folder: the console's settings come from /console/config.json at run time.
  envDir: false,
  publicDir: false,
  oxc: { jsx: { runtime: 'automatic', importSource: 'react' } },
  build: {
    outDir: `${consoleDir}dist`,
    emptyOutDir: true,
    target: 'es2022',
    // One hashed file per kind; the Content-Security-Policy allows no inline script, so no inline
    // module-preload polyfill either (every browser the console supports has modulepreload).
    modulePreload: { polyfill: false },
    sourcemap: true,
    reportCompressedSize: false,
  },
  logLevel: 'warn',
});
