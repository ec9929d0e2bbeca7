// Node ESM resolve hook, registered by gradients.ts: tfjs-core's unbundled ESM build (the only place its
// gradient definitions ship) uses extensionless relative imports ('./ops/neg'), which browsers' bundlers
// accept and Node does not. Inside that package only, retry such an import with '.js' (or '/index.js').
export async function resolve(specifier, context, nextResolve) {
  const parent = context.parentURL ?? '';
  if (
    specifier.startsWith('.') &&
    parent.includes('/@tensorflow/tfjs-core/dist/') &&
    !/\.[cm]?js$/.test(specifier)
  ) {
    try {
      return await nextResolve(specifier + '.js', context);
    } catch {
      return nextResolve(specifier + '/index.js', context);
    }
  }
  return nextResolve(specifier, context);
}
