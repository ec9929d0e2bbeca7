import { UsageError } from '../../format/errors';
import { encodeText } from '../../format/text';

/**
 * Token batches as the probes take them: [batch][pos] integer ids, every row the same length. Parsed and
 * checked here (not in the CLI) so the page gives the same messages.
 */

/** One row from text, with the byte tokenizer. */
export function textBatch(text: string): number[][] {
  return [encodeText(text)];
}

/** Parse a tokens file: JSON, an array of token-id arrays of equal length. `what` names the file in errors. */
export function parseTokenBatch(json: string, what: string): number[][] {
  let raw: unknown;
  try {
    raw = JSON.parse(json);
  } catch {
    throw new UsageError(`${what} is not JSON: expected an array of token-id arrays, e.g. [[72, 105]]`);
  }
  const shape = `${what} must be an array of token-id arrays, e.g. [[72, 105]]`;
  if (!Array.isArray(raw) || raw.length === 0) throw new UsageError(`${shape} (got ${describe(raw)})`);
  raw.forEach((row, b) => {
    if (!Array.isArray(row)) throw new UsageError(`${shape}: row ${b} is ${describe(row)}`);
    if (row.length === 0) throw new UsageError(`${what}: row ${b} is empty`);
    row.forEach((id, p) => {
      if (typeof id !== 'number' || !Number.isInteger(id) || id < 0) {
        throw new UsageError(
          `${what}: row ${b} position ${p} is ${JSON.stringify(id)}, not a token id (integer >= 0)`,
        );
      }
    });
  });
  const rows = raw as number[][];
  const bad = rows.findIndex((r) => r.length !== rows[0].length);
  if (bad >= 0) {
    throw new UsageError(
      `${what}: rows must have equal length (row 0 has ${rows[0].length} tokens, row ${bad} has ${rows[bad].length})`,
    );
  }
  return rows;
}

/** Refuse ids the model's embedding has no row for. */
export function checkVocab(rows: readonly (readonly number[])[], vocab: number): void {
  rows.forEach((row, b) =>
    row.forEach((id, p) => {
      if (id >= vocab) {
        throw new UsageError(
          `token id ${id} (row ${b}, position ${p}) is outside the vocabulary of ${vocab}`,
        );
      }
    }),
  );
}

function describe(v: unknown): string {
  if (Array.isArray(v)) return v.length === 0 ? 'an empty array' : 'an array';
  if (v === null) return 'null';
  return `a ${typeof v}`;
}
