import adapter from '@sveltejs/adapter-node';
import { vitePreprocess } from '@sveltejs/vite-plugin-svelte';

/** @type {import('@sveltejs/kit').Config} */
export default {
  preprocess: vitePreprocess(),
  kit: {
    adapter: adapter({ out: 'build', precompress: false }),
    alias: { $probes: 'probes', $training: 'training' },
    // svelte-check covers the folders the app imports from outside src/ (the web runtime, figures, probes).
    typescript: {
      config: (config) => {
        config.include.push('../runtime/**/*.ts', '../figures/**/*.ts', '../figures/**/*.svelte');
      },
    },
  },
};
