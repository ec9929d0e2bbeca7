/**
 * Child process of hostile-onnx.test.ts: for each model file named on the command line, do what the CLI
 * does before ONNX Runtime sees a model (decode, validate, find attention, expose the taps), then create an
 * onnxruntime-node session on the result. One JSON line per file on stdout; a native crash shows as the
 * child's exit signal, and the last line printed names the file before it.
 */
import { readFileSync } from 'node:fs';
import * as ort from 'onnxruntime-node';
import { findAttention } from '../../probes/attention';
import { UsageError } from '../../format/errors';
import { decodeModel } from '../../format/onnx/model';

for (const file of process.argv.slice(2)) {
  let result: string;
  try {
    const found = findAttention(decodeModel(new Uint8Array(readFileSync(file))));
    try {
      const session = await ort.InferenceSession.create(found.bytes, {
        graphOptimizationLevel: 'disabled',
        logSeverityLevel: 4,
      });
      await session.release();
      result = 'session';
    } catch {
      result = 'ort-error';
    }
  } catch (e) {
    if (!(e instanceof UsageError)) throw e;
    result = 'refused';
  }
  process.stdout.write(`${JSON.stringify({ file, result })}\n`);
}
