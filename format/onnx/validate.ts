import { onnx } from './gen/onnx.js';
import { UsageError } from '../errors';
import { checkGraphStructure } from './graph-structure';

/**
 * Limits and checks applied to every decoded model before anything reads a tensor or walks the graph, so a
 * hostile or corrupt file ends in a UsageError that names the problem instead of a multi-gigabyte allocation,
 * a RangeError deep in a probe, or an external-data read from somewhere on the disk.
 *
 * - Tensor dims must be integers in [0, 2^53) and the element count at most MAX_TENSOR_ELEMENTS (checked from
 *   the dims alone, before any buffer is made); raw_data, or the typed repeated field, must hold exactly the
 *   element count the dims claim.
 * - External data (TensorProto.data_location = EXTERNAL or external_data entries): refused outright unless the
 *   caller names the model's folder (Node, a model opened from a file); then only plain relative paths inside
 *   that folder pass this string check (no absolute path, `..` segment, backslash, drive letter or NUL). The
 *   Node side also resolves symlinks (bin/model/files.ts). In the browser there is no folder: all refused.
 * - The main graph may hold at most MAX_NODES nodes, and subgraphs (If / Loop bodies) nest at most
 *   MAX_SUBGRAPH_DEPTH deep (protobufjs itself stops decoding at 100 nested messages); every probe walks the graph in linear time or with a depth bound, so a cyclic
 *   graph (which ONNX forbids, but a file can still describe) ends, it is only never "found".
 * - The graph's structure passes ONNX's checker's rules (graph-structure.ts): inputs defined before use, each
 *   tensor produced once, outputs produced.
 */

/** 2^28 elements: 1 GiB as float32. smallscope's own models hold thousands; big PyTorch exports, millions. */
export const MAX_TENSOR_ELEMENTS = 2 ** 28;
export const MAX_NODES = 1_000_000;
export const MAX_SUBGRAPH_DEPTH = 16;

export interface ValidateOptions {
  /**
   * The folder of the model file, for external data (Node only). null or absent: no external data at all
   * (the browser, and bytes without a known folder).
   */
  externalDataDir?: string | null;
}

/** One external-data reference a tensor makes (for the Node side's symlink check). */
export interface ExternalRef {
  tensor: string;
  location: string;
}

const T = onnx.TensorProto.DataType;

/** Bytes per element of the raw_data encoding, for the types that have a fixed size. */
const RAW_SIZE: Partial<Record<number, number>> = {
  [T.FLOAT]: 4,
  [T.UINT8]: 1,
  [T.INT8]: 1,
  [T.UINT16]: 2,
  [T.INT16]: 2,
  [T.INT32]: 4,
  [T.INT64]: 8,
  [T.BOOL]: 1,
  [T.FLOAT16]: 2,
  [T.DOUBLE]: 8,
  [T.UINT32]: 4,
  [T.UINT64]: 8,
  [T.COMPLEX64]: 8,
  [T.COMPLEX128]: 16,
  [T.BFLOAT16]: 2,
};

/** A dimension or int64 field as a safe integer, or null when it is not one (a Long beyond 2^53, NaN). */
export function safeInt(v: unknown): number | null {
  let n: number;
  if (typeof v === 'number') n = v;
  else if (typeof v === 'bigint') n = Number(v);
  else if (v && typeof (v as { toNumber?: unknown }).toNumber === 'function')
    n = (v as { toNumber(): number }).toNumber();
  else return null;
  return Number.isSafeInteger(n) ? n : null;
}

/**
 * The dims of a tensor and its element count, or a UsageError: negative or non-integer dims, or a count
 * above MAX_TENSOR_ELEMENTS. The count is accumulated with an early exit, so [1e9, 1e9] never multiplies out.
 */
export function checkedDims(
  t: onnx.ITensorProto,
  what = `tensor '${t.name ?? ''}'`,
): { dims: number[]; n: number } {
  const dims: number[] = [];
  let n = 1;
  for (const raw of t.dims ?? []) {
    const d = safeInt(raw);
    if (d === null || d < 0) {
      throw new UsageError(`${what} has dimension ${String(raw)}: dimensions must be integers >= 0`);
    }
    dims.push(d);
    n *= d;
    if (n > MAX_TENSOR_ELEMENTS) {
      throw new UsageError(
        `${what} claims dims [${(t.dims ?? []).map(String).join(', ')}], more than ${MAX_TENSOR_ELEMENTS} elements: refused before allocating`,
      );
    }
  }
  return { dims, n };
}

function isExternal(t: onnx.ITensorProto): boolean {
  return t.dataLocation === onnx.TensorProto.DataLocation.EXTERNAL || (t.externalData ?? []).length > 0;
}

/** Why an external-data location may not be read from a model in `dir`, or null when it is a plain relative path. */
export function externalLocationProblem(location: string): string | null {
  if (location.length === 0) return 'no location';
  if (location.includes('\0')) return 'a NUL byte in the path';
  if (location.includes('\\')) return 'a backslash in the path';
  if (location.startsWith('/') || /^[A-Za-z]:/.test(location)) return 'an absolute path';
  if (location.includes(':')) return 'a colon in the path';
  if (location.split('/').some((s) => s === '..')) return 'a `..` segment leaving the folder';
  return null;
}

function checkTensor(t: onnx.ITensorProto, where: string, opts: ValidateOptions, refs: ExternalRef[]): void {
  const name = t.name ?? '';
  const what = `${where} tensor '${name}'`;
  const { n } = checkedDims(t, what);
  if (isExternal(t)) {
    const location = (t.externalData ?? []).find((e) => e.key === 'location')?.value ?? '';
    if (opts.externalDataDir == null) {
      throw new UsageError(
        `${what} refers to external data ('${location}'); smallscope reads only self-contained .onnx files here`,
      );
    }
    const problem = externalLocationProblem(location);
    if (problem) {
      throw new UsageError(
        `${what} refers to external data '${location}' outside the model's folder (${problem}): refused`,
      );
    }
    refs.push({ tensor: name, location });
    return;
  }
  const type = t.dataType ?? 0;
  const raw = t.rawData?.length ?? 0;
  if (raw > 0) {
    const size = RAW_SIZE[type];
    if (size === undefined) {
      if (type === T.STRING)
        throw new UsageError(`${what} is a string tensor with raw_data, which ONNX forbids`);
      return; // a type we do not know: ORT will judge it
    }
    if (raw !== n * size) {
      throw new UsageError(
        `${what} has ${raw} raw bytes; its dims [${(t.dims ?? []).map(String).join(', ')}] need ${n * size}`,
      );
    }
    return;
  }
  const typed =
    type === T.FLOAT
      ? t.floatData?.length
      : type === T.DOUBLE
        ? t.doubleData?.length
        : type === T.INT64
          ? t.int64Data?.length
          : type === T.UINT32 || type === T.UINT64
            ? t.uint64Data?.length
            : type === T.STRING
              ? t.stringData?.length
              : RAW_SIZE[type] !== undefined && type !== T.COMPLEX64 && type !== T.COMPLEX128
                ? t.int32Data?.length
                : undefined;
  if (typed !== undefined && typed !== n) {
    throw new UsageError(
      `${what} holds ${typed} values; its dims [${(t.dims ?? []).map(String).join(', ')}] need ${n}`,
    );
  }
}

/**
 * Check every tensor of a model (initializers, sparse initializers, Constant values and tensor attributes,
 * subgraphs included) and the graph's size. Returns the external-data references that passed the string
 * check (empty for a self-contained model).
 */
export function validateModel(proto: onnx.IModelProto, opts: ValidateOptions = {}): ExternalRef[] {
  const refs: ExternalRef[] = [];
  const graph = proto.graph;
  if (graph && (graph.node?.length ?? 0) > MAX_NODES) {
    throw new UsageError(`the graph has ${graph.node!.length} nodes, more than ${MAX_NODES}: refused`);
  }
  // Iterative, with an explicit depth per graph: a file can nest If bodies as deep as its bytes allow.
  const stack: { g: onnx.IGraphProto; depth: number }[] = graph ? [{ g: graph, depth: 0 }] : [];
  let graphs = 0;
  while (stack.length > 0) {
    const { g, depth } = stack.pop()!;
    if (depth > MAX_SUBGRAPH_DEPTH) {
      throw new UsageError(`subgraphs nest more than ${MAX_SUBGRAPH_DEPTH} deep: refused`);
    }
    if (++graphs > MAX_NODES) throw new UsageError(`more than ${MAX_NODES} subgraphs: refused`);
    for (const t of g.initializer ?? []) checkTensor(t, 'initializer', opts, refs);
    for (const s of g.sparseInitializer ?? []) {
      if (s.values) checkTensor(s.values, 'sparse initializer', opts, refs);
      if (s.indices) checkTensor(s.indices, 'sparse initializer', opts, refs);
    }
    for (const node of g.node ?? []) {
      for (const a of node.attribute ?? []) {
        const where = `${node.opType ?? 'node'} '${node.name ?? ''}'`;
        if (a.t) checkTensor(a.t, where, opts, refs);
        for (const t of a.tensors ?? []) checkTensor(t, where, opts, refs);
        for (const s of [a.sparseTensor, ...(a.sparseTensors ?? [])]) {
          if (s?.values) checkTensor(s.values, where, opts, refs);
          if (s?.indices) checkTensor(s.indices, where, opts, refs);
        }
        if (a.g) stack.push({ g: a.g, depth: depth + 1 });
        for (const sub of a.graphs ?? []) stack.push({ g: sub, depth: depth + 1 });
      }
    }
  }
  // After the tensors: a subgraph walk is recursive, and the depth bound above has been checked by then.
  if (graph) checkGraphStructure(graph);
  return refs;
}
