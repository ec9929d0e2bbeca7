import { UsageError } from '../format/errors';
import { findContext, type Context } from './onnx/context';
import { findEmbedding } from './onnx/embedding';
import type { OnnxModel } from '../format/onnx/model';

/**
 * ONNX Runtime's failures, in one line that names the node and, where recognised, what in the model or the
 * input caused it. The runners (onnxruntime-node and -web) hand every error of session creation and of a run
 * to these functions: smallscope feeds well-formed token ids, so a failure there is the model's or the
 * input's doing, and is a UsageError (exit 2 on the command line), never an internal error.
 *
 * ORT's messages look like (node; web adds `failed to call OrtRun(). ERROR_CODE: 2, ERROR_MESSAGE: `):
 *   Non-zero status code returned while running Gather node. Name:'/wpe/Gather' Status Message:
 *   indices element out of data bounds, idx=128 must be within the inclusive range [-128,127]
 */

const NODE_RE = /running (\w+) node\. Name:'([^']*)' Status Message: ([\s\S]*)$/;
const GATHER_RE = /idx=(-?\d+) must be within the inclusive range \[(-?\d+),(-?\d+)\]/;
const RESHAPE_RE = /Input shape:\{([\d,]*)\}, requested shape:\{([-\d,]*)\}/;
const BROADCAST_RE = /broadcast an axis by a dimension other than 1\. (\d+) by (\d+)/;

/** ORT's text with its source paths, C++ signatures and line breaks taken out, cut to one short line. */
export function cleanOrtMessage(message: string): string {
  const text = message
    .replace(/^failed to call OrtRun\(\)\. ERROR_CODE: \d+, ERROR_MESSAGE: /, '')
    // `/onnxruntime_src/...h:563 void onnxruntime::X::Init(ptrdiff_t, ptrdiff_t) axis == 1 || ... was false. `
    .replace(/\/onnxruntime_src\/\S+:\d+ [^(]*\([^)]*\)( const)? (.*? was false\. )?/g, '')
    .replace(/\s+/g, ' ')
    .trim();
  return text.length > 300 ? `${text.slice(0, 297)}...` : text;
}

const product = (dims: number[]) => dims.reduce((a, b) => a * b, 1);

/**
 * What the messages read from the model, found once when a runner is made: a runner that kept the decoded
 * model for its messages kept the file's bytes with it (bench/large-model: 300 MiB more in the page).
 */
export interface FailureHints {
  context: Context | null;
  /** The token embedding's Gather node. */
  embeddingNode: string | null;
}

export function failureHints(model: OnnxModel): FailureHints {
  try {
    return { context: findContext(model), embeddingNode: findEmbedding(model)?.node ?? null };
  } catch {
    return { context: null, embeddingNode: null };
  }
}

/** The UsageError for a failed run of `model` on `seq` tokens (null when the caller does not know). */
export function runFailure(
  err: unknown,
  model: OnnxModel | FailureHints | null,
  seq: number | null,
): UsageError {
  if (err instanceof UsageError) return err;
  const hints = model === null ? null : 'nodes' in model ? failureHints(model) : model;
  const message = cleanOrtMessage(err instanceof Error ? err.message : String(err));
  const m = NODE_RE.exec(message);
  if (!m) return new UsageError(`ONNX Runtime could not run this model: ${message}`);
  const [, op, node, status] = m;
  const where = `ONNX Runtime failed in ${op} node '${node}'`;
  const gather = op === 'Gather' ? GATHER_RE.exec(status) : null;
  if (gather) {
    const rows = Number(gather[3]) + 1;
    return new UsageError(
      `${where}: index ${gather[1]} is past its ${rows} rows (${gatherCause(hints, node, seq, rows)})`,
    );
  }
  const reshape = op === 'Reshape' ? RESHAPE_RE.exec(status) : null;
  if (reshape) {
    const from = reshape[1].split(',').map(Number);
    const to = reshape[2].split(',').map(Number);
    return new UsageError(
      `${where}: it asks to reshape [${from}] (${product(from)} values) into [${to}], ` +
        "which cannot hold them: the model's shape constant does not fit its tensors",
    );
  }
  const broadcast = BROADCAST_RE.exec(status);
  if (broadcast) {
    const context = hints?.context ?? null;
    const why =
      context && seq !== null && seq > context.max_tokens
        ? `the input has ${seq} tokens, more than the ${context.max_tokens} of the model's ${context.from}`
        : "two of the model's tensors do not agree in shape";
    return new UsageError(`${where}: dimension ${broadcast[1]} against ${broadcast[2]} (${why})`);
  }
  return new UsageError(`${where}: ${status}`);
}

function gatherCause(hints: FailureHints | null, node: string, seq: number | null, rows: number): string {
  if (hints) {
    if (hints.context?.from === `position table ${node}`)
      return `the input has ${seq ?? 'more'} tokens; the model's position table holds ${rows}`;
    if (hints.embeddingNode === node) return `a token id is past the model's ${rows}-token vocabulary`;
  }
  return 'an index the model computes from the input is out of range';
}

/** The UsageError for a session that ONNX Runtime would not create (the file is not a model it can run). */
export function loadFailure(err: unknown): UsageError {
  if (err instanceof UsageError) return err;
  const message = cleanOrtMessage(err instanceof Error ? err.message : String(err));
  return new UsageError(`ONNX Runtime cannot load this model: ${message}`);
}
