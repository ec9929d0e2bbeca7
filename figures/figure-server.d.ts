// The server-compiled figure components that vite.config.ts's figure-server plugin makes from `X.svelte`.
declare module '*.figure-server.js' {
  import type { Component } from 'svelte';
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  const component: Component<any>;
  export default component;
}
