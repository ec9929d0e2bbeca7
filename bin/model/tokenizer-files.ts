import { existsSync } from 'node:fs';
import { dirname, join } from 'node:path';
import type { OnnxModel } from '../../format/onnx/model';
import { vocabSize } from '../../probes/onnx/embedding';
import { decodeUtf8 } from '../../format/text';
import { resolveTokenizer } from '../../format/tokenizer/resolve';
import type { TextTokenizer } from '../../format/tokenizer/tokenizer';
import { openModelFile, readBytes, type TextContext } from './files';

/** The tokenizer flags every command that takes text has. */
export interface TokenizerFlags {
  /** --tokenizer FILE */
  tokenizer?: string;
  /** commander's `--no-special-tokens`: false when given. */
  specialTokens?: boolean;
}

/** Read a tokenizer.json named on the command line or found beside the model. */
export function readTokenizerText(path: string, what: string): string {
  return decodeUtf8(readBytes(path, what), `${what} '${path}'`);
}

/**
 * The tokenizer of the model at `modelPath` (format/tokenizer/resolve.ts for the order): --tokenizer, else
 * tokenizer.json in the model's folder, else the manifest's, else bytes for a vocabulary of 256; null when
 * none applies (text is then refused, token files still work).
 */
export function modelTokenizer(
  modelPath: string,
  model: OnnxModel,
  flags: TokenizerFlags,
  vocab: number | null = vocabSize(model),
): TextTokenizer | null {
  const besidePath = join(dirname(modelPath), 'tokenizer.json');
  const flag = flags.tokenizer
    ? { what: flags.tokenizer, text: readTokenizerText(flags.tokenizer, 'tokenizer file') }
    : null;
  const beside =
    !flag && existsSync(besidePath)
      ? { what: besidePath, text: readTokenizerText(besidePath, 'tokenizer file') }
      : null;
  return resolveTokenizer({ flag, beside, manifest: model.manifest, vocab });
}

/** What tokensFromFlags needs to read --text for the model at `modelPath` (the figure commands). */
export function textContextFor(modelPath: string, flags: TokenizerFlags): TextContext {
  const model = openModelFile(modelPath);
  const vocab = vocabSize(model);
  return {
    tokenizer: modelTokenizer(modelPath, model, flags, vocab),
    vocab,
    specialTokens: flags.specialTokens,
  };
}
