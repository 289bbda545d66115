// Vite build: content-hashed files under /assets/ (served immutable by carbonx, CDN-friendly).
// `npm run dev` proxies /api to a running carbonx (CARBONX_URL, default http://127.0.0.1:8080).
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

export default defineConfig({
  plugins: [react()],
  build: {
    target: 'es2022',
    assetsDir: 'assets',
    rollupOptions: {
      output: {
        // Keep the React/Redux runtime in its own long-lived chunk.
        manualChunks: { vendor: ['react', 'react-dom', 'react-router-dom', '@reduxjs/toolkit', 'react-redux'] },
      },
    },
  },
  server: { proxy: { '/api': { target: process.env.CARBONX_URL ?? 'http://127.0.0.1:8080', ws: true } } },
  test: { environment: 'node', include: ['src/**/*.test.ts'] },
} as any);
