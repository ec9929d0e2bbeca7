import type { Command } from './cli';

/**
 * The options of every command that takes text: which tokenizer reads it (--tokenizer FILE, else the one
 * beside the model or in its manifest, else bytes for a vocabulary of 256) and whether the special tokens its
 * post-processor adds (BOS, CLS, ...) are added.
 */
export function textOptions(cmd: Command): Command {
  return cmd
    .option('--text <text>', "input text, tokenized by the model's tokenizer (--tokenizer)")
    .option(
      '--tokenizer <file>',
      "a Hugging Face tokenizer.json for --text (default: tokenizer.json beside the model, else the checkpoint manifest's, else bytes when the vocabulary is 256)",
    )
    .option(
      '--no-special-tokens',
      "don't add the special tokens the tokenizer's post-processor adds (BOS, CLS, ...)",
    );
}
