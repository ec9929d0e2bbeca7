import { register } from 'node:module';

/**
 * Register tfjs's gradient functions. `@tensorflow/tfjs-core`'s Node entry (a CommonJS bundle) ships ops and
 * kernels but no gradients; the `@tensorflow/tfjs` umbrella bundles them, and tfjs-core has them only in its
 * unbundled ESM build (dist/register_all_gradients.js). We load that file through a small resolve hook (its
 * imports lack file extensions). Both copies of tfjs-core share one engine and one gradient registry (tfjs
 * keeps them on globalThis for exactly this case), so the gradients land where tf.variableGrads looks.
 */
let done: Promise<void> | undefined;

export function registerGradients(): Promise<void> {
  done ??= (async () => {
    register('./resolve_hook.mjs', import.meta.url);
    await import('@tensorflow/tfjs-core/dist/register_all_gradients.js');
  })();
  return done;
}
