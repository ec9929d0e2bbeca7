/**
 * Writes GPT-2's byte-level BPE as a tokenizer.json, whole or cut to its first N merges (256 + N ids), for
 * `smallscope train --tokenizer` (docs/reproduction.md, seed 002: the demo pair tried on Brown over `--merges 4096`).
 *
 *   npx tsx scripts/tokenizer/write-gpt2.ts [--merges N] OUT.json
 */
import { writeFileSync } from 'node:fs';
import { Command, InvalidArgumentError } from 'commander';
import { gpt2TokenizerJson } from '../../training/tasks/gpt2-merges';

const cmd = new Command('write-gpt2')
  .description("write GPT-2's byte-level BPE tokenizer.json, optionally cut to its first N merges")
  .argument('<out>', 'the tokenizer.json to write')
  .option('--merges <n>', "keep GPT-2's first n merges only (256 + n ids, no <|endoftext|>)", (v) => {
    if (!/^\d+$/.test(v) || Number(v) > 50000)
      throw new InvalidArgumentError(`a whole number up to GPT-2's 50000 merges, got '${v}'`);
    return Number(v);
  })
  .parse();
const json = gpt2TokenizerJson({ merges: cmd.opts().merges });
writeFileSync(cmd.args[0]!, JSON.stringify(json));
const model = json.model as { vocab: object; merges: unknown[] };
console.log(`wrote ${cmd.args[0]}: ${Object.keys(model.vocab).length} ids, ${model.merges.length} merges`);
