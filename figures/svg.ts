import type { Component } from 'svelte';
import { render } from 'svelte/server';

/**
 * One figure as a standalone SVG document, by svelte/server's render() of the figure component: the command
 * line calls this in Node (components compiled for the server by figures/compile/svelte-hooks.mjs) and the app's
 * download buttons call it in the page (the same components compiled for the server by the figure-server
 * plugin in vite.config.ts), so the same props give the same bytes. `fontCss` is the @font-face block that
 * embeds the font (export-format.ts fontCssOf), or '' to leave the font to the viewer.
 */
export function figureSvg(
  // eslint-disable-next-line @typescript-eslint/no-explicit-any
  component: Component<any>,
  props: { meta: object } & Record<string, unknown>,
  fontCss: string,
): string {
  const meta = { ...props.meta, fontCss };
  const { body } = render(component, { props: { ...props, meta } });
  // Hydration markers are comments; nothing in a figure is one.
  const svg = body.replace(/<!--[\s\S]*?-->/g, '').trim();
  return `<?xml version="1.0" encoding="UTF-8"?>\n${svg}\n`;
}
