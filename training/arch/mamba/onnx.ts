import type { onnx } from '../../../format/onnx/gen/onnx.js';
import type { SpecOf } from '../../../format/manifest';
import { DataType, GraphBuilder, valueInfo } from '../../export/graph';
import { dims } from './model';

/**
 * The Mamba baseline (model.ts) as ONNX nodes, op for op: Gather (embedding) -> per layer RMSNorm, in_proj
 * MatMul, Slices for u / res, a depthwise Conv (group E, pads [K-1, 0]: causal), x_proj, Softplus(dt_proj),
 * exp(delta A) and delta B u, the selective scan as one ONNX `Scan` node over positions (so any length runs,
 * not one fixed maximum), the C readout, D skip, silu(res) gate, out_proj and the residual add
 * (`blocks.{l}.hook_resid_post`) -> final RMSNorm -> MatMul with the transposed embedding (tied head).
 *
 * Every initializer is a parameter under its own name and in its own layout (Linear weights [out, in],
 * A_log), so training/export/from-onnx.ts rebuilds the tfjs model from the file; exact field gradients go
 * through the graph itself, this Scan included (runtime/tfjs/ops/control.ts).
 */
const RMS_EPS = 1e-5;

function rmsNorm(g: GraphBuilder, x: string, w: string, eps: string): string {
  const sq = g.node('Mul', [x, x]); // [batch, pos, D]
  const ms = g.node('ReduceMean', [sq], { axes: [-1], keepdims: 1 }); // [batch, pos, 1] (opset 17: axes attribute)
  const rms = g.node('Sqrt', [g.node('Add', [ms, eps])]); // [batch, pos, 1]
  return g.node('Mul', [g.node('Div', [x, rms]), w]); // [batch, pos, D]
}

const silu = (g: GraphBuilder, x: string) => g.node('Mul', [x, g.node('Sigmoid', [x])]);

/** The scan body: h = a_t * h_prev + bu_t; returns (h as the new state, h as this position's output). */
function scanBody(l: number, E: number, N: number): onnx.IGraphProto {
  const p = `scan${l}.`;
  const b = new GraphBuilder(p);
  const ah = b.node('Mul', [`${p}a_t`, `${p}h_prev`]); // [batch, E, N]
  const h = b.node('Add', [ah, `${p}bu_t`], {}, `${p}h`); // [batch, E, N]
  b.node('Identity', [h], {}, `${p}h_t`); // [batch, E, N]: a state and a scan output need two names
  const info = (n: string) => valueInfo(`${p}${n}`, DataType.FLOAT, ['batch', E, N]);
  return {
    name: `${p}body`,
    node: b.nodes,
    input: [info('h_prev'), info('a_t'), info('bu_t')],
    output: [info('h'), info('h_t')],
  };
}

export function mambaGraph(
  g: GraphBuilder,
  spec: SpecOf<'mamba'>,
  w: Record<string, Float32Array>,
): onnx.IValueInfoProto[] {
  const { D, E, N, R, K } = dims(spec);
  const V = spec.vocab;
  const W_E = g.floats('embed.W_E', [V, D], w['embed.W_E']);
  const eps = g.floats('mamba.eps', [], Float32Array.of(RMS_EPS));
  // int64 constants, each written once however many layers use it (initializer names must be unique).
  const made = new Map<string, string>();
  const i64 = (name: string, v: number[]) => {
    if (!made.has(name)) made.set(name, g.int64s(`mamba.${name}`, [v.length], v));
    return made.get(name)!;
  };
  const [ax2, ax3, axLast, zero] = [
    i64('axis2', [2]),
    i64('axis3', [3]),
    i64('axisLast', [-1]),
    i64('zero', [0]),
  ];
  const EN = i64('EN', [E, N]);
  // Slices of the last axis: [start, end).
  const last = (x: string, from: number, to: number) =>
    g.node('Slice', [x, i64(`from${from}`, [from]), i64(`to${to}`, [to]), axLast]);

  // The causal mask of the hidden attention from the dynamic length: 1 where key s <= query t, else 0.
  const T1 = g.node('Shape', ['tokens'], { start: 1, end: 2 }); // [1] = pos
  const square = g.node('Concat', [T1, T1], { axis: 0 }); // [2] = [pos, pos]
  const ones = g.node('Expand', [g.floats('mamba.one_f', [], Float32Array.of(1)), square]); // [t, s]
  const lower = g.node('Trilu', [ones], { upper: 0 }); // [t, s]: s <= t
  const causal = g.node('Unsqueeze', [lower, i64('axes23', [2, 3])]); // [t, s, 1, 1]
  const outputs = [valueInfo('logits', DataType.FLOAT, ['batch', 'pos', V])];

  let x = g.node('Gather', [W_E, 'tokens'], { axis: 0 }); // [batch, pos, D]
  for (let l = 0; l < spec.layers; l++) {
    const m = `layers.${l}.mixer`;
    const f = (name: string, dimsOf: number[], v: Float32Array) => g.floats(`${m}.${name}`, dimsOf, v);
    // A Linear weight stored as trained, [out, in], and transposed in the graph for MatMul (ONNX Runtime folds
    // the constant Transpose at load).
    const weightT = (name: string, rows: number, cols: number) =>
      g.node('Transpose', [f(`${name}.weight`, [rows, cols], w[`${m}.${name}.weight`])], { perm: [1, 0] }); // [in, out]
    const xn = rmsNorm(g, x, g.floats(`layers.${l}.norm.weight`, [D], w[`layers.${l}.norm.weight`]), eps);
    const Win = weightT('in_proj', 2 * E, D);
    const xr = g.node('MatMul', [xn, Win]); // [batch, pos, 2E]
    const uIn = last(xr, 0, E); // [batch, pos, E]
    const res = last(xr, E, 2 * E); // [batch, pos, E]
    const conv = g.node(
      'Conv',
      [
        g.node('Transpose', [uIn], { perm: [0, 2, 1] }), // [batch, E, pos]
        f('conv1d.weight', [E, 1, K], w[`${m}.conv1d.weight`]),
        f('conv1d.bias', [E], w[`${m}.conv1d.bias`]),
      ],
      { group: E, kernel_shape: [K], pads: [K - 1, 0] },
    ); // [batch, E, pos]: left padding only, so position t sees t-K+1..t
    const u = silu(g, g.node('Transpose', [conv], { perm: [0, 2, 1] })); // [batch, pos, E]
    const Wx = weightT('x_proj', R + 2 * N, E);
    const xdbl = g.node('MatMul', [u, Wx]); // [batch, pos, R+2N]
    const dtIn = last(xdbl, 0, R); // [batch, pos, R]
    const Bm = g.node('Unsqueeze', [last(xdbl, R, R + N), ax2]); // [batch, pos, 1, N]
    const C = g.node('Unsqueeze', [last(xdbl, R + N, R + 2 * N), ax2]); // [batch, pos, 1, N]
    const Wdt = weightT('dt_proj', E, R);
    const dtLin = g.node('Add', [
      g.node('MatMul', [dtIn, Wdt]),
      f('dt_proj.bias', [E], w[`${m}.dt_proj.bias`]),
    ]);
    const delta = g.node('Unsqueeze', [g.node('Softplus', [dtLin]), ax3]); // [batch, pos, E, 1]
    const A = g.node('Neg', [g.node('Exp', [f('A_log', [E, N], w[`${m}.A_log`])])]); // [E, N]: A = -exp(A_log)
    const dA = g.node('Exp', [g.node('Mul', [delta, A])]); // [batch, pos, E, N]
    const u4 = g.node('Unsqueeze', [u, ax3]); // [batch, pos, E, 1]
    const dBu = g.node('Mul', [g.node('Mul', [delta, Bm]), u4]); // [batch, pos, E, N]
    // h_{-1} = 0 with the batch size of this run: ConstantOfShape([batch, E, N]) (value defaults to 0.0f).
    const batch = g.node('Slice', [g.node('Shape', [x]), zero, i64('one', [1])]); // [1]
    const h0 = g.node('ConstantOfShape', [g.node('Concat', [batch, EN], { axis: 0 })]); // [batch, E, N]
    const [, H] = g.nodeOutputs(
      'Scan',
      [h0, dA, dBu],
      {
        body: { graph: scanBody(l, E, N) },
        num_scan_inputs: 2,
        scan_input_axes: [1, 1],
        scan_output_axes: [1],
      },
      [`${m}.scan.h_last`, `${m}.scan.h`],
    ); // h_last [batch, E, N]; H [batch, pos, E, N]
    outputs.push(hiddenPattern(g, l, { delta, A, Bm, C, causal, i64 }));
    const yScan = g.node('ReduceSum', [g.node('Mul', [H, C]), axLast], { keepdims: 0 }); // [batch, pos, E]
    const y = g.node('Add', [yScan, g.node('Mul', [u, f('D', [E], w[`${m}.D`])])]); // [batch, pos, E]
    const gated = g.node('Mul', [y, silu(g, res)]); // [batch, pos, E]
    const Wout = weightT('out_proj', D, E);
    x = g.node('Add', [x, g.node('MatMul', [gated, Wout])], {}, `blocks.${l}.hook_resid_post`); // [batch, pos, D]
  }
  const xf = rmsNorm(g, x, g.floats('norm_f.weight', [D], w['norm_f.weight']), eps);
  const W_U = g.node('Transpose', [W_E], { perm: [1, 0] }); // [D, vocab]: the head is tied to the embedding
  g.node('MatMul', [xf, W_U], {}, 'logits'); // [batch, pos, vocab]
  return outputs;
}

/**
 * hidden.ts's implicit attention, node for node: alpha_d[t, s] = delta_s sum_n C_t B_s exp(min(S_t - S_s, 0))
 * on s <= t (S = CumSum of delta A over positions), averaged over channels into one head.
 */
function hiddenPattern(
  g: GraphBuilder,
  l: number,
  h: {
    delta: string;
    A: string;
    Bm: string;
    C: string;
    causal: string;
    i64: (n: string, v: number[]) => string;
  },
): onnx.IValueInfoProto {
  const { i64 } = h;
  const S = g.node('CumSum', [
    g.node('Mul', [h.delta, h.A]),
    g.int64s(`layers.${l}.mixer.cumsum_axis`, [], [1]),
  ]); // [batch, pos, E, N]
  const St = g.node('Unsqueeze', [S, i64('axis2', [2])]); // [batch, t, 1, E, N]
  const Ss = g.node('Unsqueeze', [S, i64('axis1', [1])]); // [batch, 1, s, E, N]
  const zero = g.floats(`layers.${l}.mixer.hidden_zero`, [], Float32Array.of(0));
  const decay = g.node('Exp', [g.node('Min', [g.node('Sub', [St, Ss]), zero])]); // [batch, t, s, E, N]
  const Ct = g.node('Unsqueeze', [h.C, i64('axis2', [2])]); // [batch, t, 1, 1, N]
  const Bs = g.node('Unsqueeze', [h.Bm, i64('axis1', [1])]); // [batch, 1, s, 1, N]
  const CB = g.node('Mul', [Ct, Bs]); // [batch, t, s, 1, N]
  const masked = g.node('Mul', [decay, h.causal]); // [batch, t, s, E, N]
  const mixed = g.node('ReduceSum', [g.node('Mul', [masked, CB]), i64('axisLast', [-1])], { keepdims: 0 }); // [batch, t, s, E]
  const deltaS = g.node('Unsqueeze', [g.node('Squeeze', [h.delta, i64('axis3', [3])]), i64('axis1', [1])]); // [batch, 1, s, E]
  const alpha = g.node('Mul', [mixed, deltaS]); // [batch, t, s, E]
  const mean = g.node('ReduceMean', [alpha], { axes: [-1], keepdims: 0 }); // [batch, t, s]
  const name = `blocks.${l}.attn.hook_pattern`;
  g.node('Unsqueeze', [mean, i64('axis1', [1])], {}, name); // [batch, head, query, key]
  return valueInfo(name, DataType.FLOAT, ['batch', 1, 'pos', 'pos']);
}
