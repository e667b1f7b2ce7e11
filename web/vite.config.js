// Preact through esbuild's automatic JSX runtime: no plugin needed. Two pages: the community
// dashboard (index.html, `wattshare demo`) and the PV-surplus status (surplus.html, `wattshare surplus`).
import { defineConfig } from 'vite';

export default defineConfig({
  esbuild: { jsx: 'automatic', jsxImportSource: 'preact' },
  build: {
    outDir: 'dist', emptyOutDir: true, sourcemap: false, chunkSizeWarningLimit: 200,
    rollupOptions: { input: { main: 'index.html', surplus: 'surplus.html' } },
  },
});
