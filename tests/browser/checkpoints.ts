import { copyFileSync, existsSync, mkdtempSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DEMO_GENERATED, PYTORCH_MODEL, PYTORCH_PLAIN } from '../fixtures/paths';

const REPO = fileURLToPath(new URL('../..', import.meta.url));
/**
 * The generated-corpus pair under the demo's names (conv-attn.onnx, attn-attn.onnx): small byte-level models
 * whose induction head the tests know. The app's own demo folder (static/checkpoints, the Brown pair at
 * d_model 384) is opened by tests/browser/demo.test.ts.
 */
const DEMO = DEMO_GENERATED;
/** The PyTorch reference export (tests/fixtures/pytorch). */
export const REFERENCE = PYTORCH_MODEL;
/** The same model with `logits` as its only output: attention must be found as a Softmax in the graph. */
const REFERENCE_PLAIN = PYTORCH_PLAIN;

const hasOnnx = (dir: string) => existsSync(dir) && readdirSync(dir).some((f) => f.endsWith('.onnx'));

/**
 * The folder the tests serve: SMALLSCOPE_TEST_CHECKPOINTS when set, else the generated-corpus pair when it exists,
 * else scratch copies of the PyTorch reference exports (foreign files: attention output `attn.0`, and the same
 * model with no attention output at all).
 */
export function testCheckpointDir(): { dir: string; temporary: boolean } {
  const given = process.env.SMALLSCOPE_TEST_CHECKPOINTS;
  if (given) {
    if (!hasOnnx(given)) throw new Error(`SMALLSCOPE_TEST_CHECKPOINTS=${given} holds no .onnx file`);
    return { dir: given, temporary: false };
  }
  if (hasOnnx(DEMO)) return { dir: DEMO, temporary: false };
  const dir = mkdtempSync(join(tmpdir(), 'smallscope-browser-'));
  copyFileSync(REFERENCE, join(dir, 'conv_attn.onnx'));
  // A second checkpoint, so switching (a new ORT session in the same page) and Softmax discovery are tested.
  copyFileSync(REFERENCE_PLAIN, join(dir, 'conv_attn.plain.onnx'));
  return { dir, temporary: true };
}

export { REPO };
