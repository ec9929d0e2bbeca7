import type { onnx } from './gen/onnx.js';
import { UsageError } from '../errors';

/**
 * The structural checks ONNX's checker makes on a graph, run before ONNX Runtime sees the file so a broken graph
 * is one line naming the node and the tensor, not a runtime failure:
 *
 * - every node input is a graph input, an initializer, or the output of an earlier node (ONNX requires the
 *   nodes in topological order, which also rules out cycles);
 * - every tensor is produced once (static single assignment);
 * - every graph output is produced.
 *
 * Subgraphs (If / Loop / Scan bodies) see the names of the scopes around them, as ONNX's scoping rule says.
 * An empty input name is an omitted optional input, and is not a tensor.
 */
export function checkGraphStructure(graph: onnx.IGraphProto, outer: ReadonlySet<string> = new Set()): void {
  const defined = new Set<string>(outer);
  const own = new Set<string>();
  const define = (name: string, what: string) => {
    if (!name) return;
    if (own.has(name)) throw new UsageError(`the graph produces tensor '${name}' twice (${what}): refused`);
    own.add(name);
    defined.add(name);
  };
  for (const t of graph.initializer ?? []) define(t.name ?? '', 'initializer');
  for (const s of graph.sparseInitializer ?? []) define(s.values?.name ?? '', 'sparse initializer');
  // A graph input may share its name with an initializer (a default value the caller may override).
  for (const i of graph.input ?? []) {
    if (i.name && !own.has(i.name)) define(i.name, 'graph input');
  }
  for (const [k, node] of (graph.node ?? []).entries()) {
    const label = `node ${node.name ? `'${node.name}'` : `#${k}`} (${node.opType ?? '?'})`;
    for (const input of node.input ?? []) {
      if (input && !defined.has(input)) {
        throw new UsageError(
          `${label} reads tensor '${input}', which no graph input, initializer or earlier node produces: refused`,
        );
      }
    }
    for (const a of node.attribute ?? []) {
      for (const sub of [a.g, ...(a.graphs ?? [])]) if (sub) checkGraphStructure(sub, defined);
    }
    for (const output of node.output ?? []) define(output, `again by ${label}`);
  }
  for (const o of graph.output ?? []) {
    if (o.name && !defined.has(o.name)) {
      throw new UsageError(`graph output '${o.name}' is produced by no node, input or initializer: refused`);
    }
  }
}
