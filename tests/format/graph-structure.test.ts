import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { UsageError } from '../../format/errors';
import { onnx } from '../../format/onnx/gen/onnx.js';
import { decodeModel } from '../../format/onnx/model';
import { expectUsageError, smallscope } from '../helpers/cli';
import { node, tinyModel } from '../helpers/onnx-builder';

/** The tiny attention model of the builder, with its graph changed by `edit`. */
function broken(edit: (g: onnx.IGraphProto) => void): Uint8Array {
  const proto = onnx.ModelProto.decode(tinyModel());
  edit(proto.graph!);
  return onnx.ModelProto.encode(proto).finish();
}

const refusal = (bytes: Uint8Array): string => {
  try {
    decodeModel(bytes);
  } catch (e) {
    expect(e).toBeInstanceOf(UsageError);
    return (e as Error).message;
  }
  throw new Error('the model was accepted');
};

describe('graph structure is checked before ONNX Runtime sees the file', () => {
  it('accepts the well-formed graph the broken ones are made from', () => {
    expect(() => decodeModel(tinyModel())).not.toThrow();
  });

  it('refuses a node that reads a tensor nothing produces, naming the node and the tensor', () => {
    const bytes = broken((g) => {
      g.node![1].input = ['x', 'nowhere'];
    });
    expect(refusal(bytes)).toBe(
      "node '/MatMul_logits' (MatMul) reads tensor 'nowhere', which no graph input, initializer or earlier node produces: refused",
    );
  });

  it('refuses nodes out of topological order (a cycle cannot be ordered)', () => {
    const order = broken((g) => void g.node!.reverse());
    expect(refusal(order)).toMatch(/reads tensor '.+', which no graph input, initializer or earlier node/);
    const cycle = broken((g) => {
      g.node!.unshift(node('Relu', ['y'], ['z']), node('Relu', ['z'], ['y']));
    });
    expect(refusal(cycle)).toMatch(/^node '\/Relu_z' \(Relu\) reads tensor 'y'/);
  });

  it('refuses a tensor produced twice and a graph output nothing produces', () => {
    const twice = broken((g) => void g.node!.push(node('Relu', ['x'], ['logits'])));
    expect(refusal(twice)).toBe(
      "the graph produces tensor 'logits' twice (again by node '/Relu_logits' (Relu)): refused",
    );
    const output = broken((g) => void g.output!.push({ name: 'ghost' }));
    expect(refusal(output)).toBe(
      "graph output 'ghost' is produced by no node, input or initializer: refused",
    );
  });

  it('treats an empty input name as an omitted optional input', () => {
    expect(() => decodeModel(broken((g) => void g.node![1].input!.push('')))).not.toThrow();
  });

  it('lets a subgraph read the names of the scope around it, and refuses one that reads an unknown name', () => {
    const withBody = (reads: string) =>
      broken((g) => {
        const body: onnx.IGraphProto = {
          name: 'then',
          node: [node('Identity', [reads], ['branch'])],
          output: [{ name: 'branch' }],
        };
        g.node!.push({
          opType: 'If',
          name: 'if',
          input: ['cond'],
          output: ['chosen'],
          attribute: [
            { name: 'then_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: body },
            { name: 'else_branch', type: onnx.AttributeProto.AttributeType.GRAPH, g: body },
          ],
        });
        g.input!.push({ name: 'cond' });
      });
    expect(() => decodeModel(withBody('logits'))).not.toThrow();
    expect(refusal(withBody('later'))).toMatch(/^node '\/Identity_branch' \(Identity\) reads tensor 'later'/);
  });

  it('the command line refuses a broken graph in one line with exit 2, not an internal error', () => {
    const file = join(mkdtempSync(join(tmpdir(), 'smallscope-broken-')), 'broken.onnx');
    writeFileSync(
      file,
      broken((g) => void (g.node![1].input = ['x', 'nowhere'])),
    );
    for (const args of [
      ['inspect', file],
      ['probe', 'attention', file, '--text', 'abc'],
    ]) {
      expectUsageError(smallscope(...args), /reads tensor 'nowhere'.*: refused\n$/);
    }
  });
});
