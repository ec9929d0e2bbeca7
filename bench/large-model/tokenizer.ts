/**
 * GPT-2's byte-level BPE tokenizer.json (50,257 ids), rebuilt from js-tiktoken's copy of GPT-2's ranks (the
 * helper the tokenizer cross-check test uses), written beside the bench's model.
 *
 *   npx tsx bench/large-model/tokenizer.ts OUT_DIR
 */
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { gpt2TokenizerJson } from '../../training/tasks/gpt2-merges';

const out = process.argv[2];
if (!out) throw new Error('usage: tsx bench/large-model/tokenizer.ts OUT_DIR');
writeFileSync(join(out, 'tokenizer.json'), JSON.stringify(gpt2TokenizerJson()));
console.log(`wrote ${join(out, 'tokenizer.json')}`);
