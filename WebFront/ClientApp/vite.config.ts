import { defineConfig } from 'vite'
import vue from '@vitejs/plugin-vue'

// The build goes straight into WebFront/wwwroot, which WebFront serves (and which is not committed).
export default defineConfig({
  plugins: [vue()],
  // Composition API only: Vue can drop the Options API and devtools hooks from the bundle.
  define: {
    __VUE_OPTIONS_API__: 'false',
    __VUE_PROD_DEVTOOLS__: 'false',
    __VUE_PROD_HYDRATION_MISMATCH_DETAILS__: 'false',
  },
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
