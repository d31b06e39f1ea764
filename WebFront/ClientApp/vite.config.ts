import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The build goes straight into WebFront/wwwroot, which WebFront serves (and which is not committed).
export default defineConfig({
  plugins: [vue()],
  build: {
    outDir: '../wwwroot',
    emptyOutDir: true,
    target: 'es2022',
    chunkSizeWarningLimit: 300,
  },
  server: {
    proxy: {
      '/api': 'http://127.0.0.1:5000',
      '/douyin': 'http://127.0.0.1:5000',
      '/hubs': { target: 'http://127.0.0.1:5000', ws: true },
    },
  },
})
