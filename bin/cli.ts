import { Command, CommanderError, Option } from 'commander';
import { UsageError } from '../format/errors';

/**
 * Shared plumbing for every subcommand: one-line errors with exit code 2 for user mistakes, exit 1 for internal
 * failures, never a stack trace for a user mistake (set SMALLSCOPE_DEBUG=1 to see one).
 */
export function fail(err: unknown): never {
  if (err instanceof CommanderError) {
    // commander already printed its one-line message
    process.exit(err.exitCode === 0 ? 0 : 2);
  }
  if (err instanceof UsageError) {
    process.stderr.write(`smallscope: ${err.message}\n`);
    process.exit(2);
  }
  const e = err instanceof Error ? err : new Error(String(err));
  process.stderr.write(`smallscope: internal error: ${e.message}\n`);
  if (process.env.SMALLSCOPE_DEBUG) process.stderr.write(`${e.stack}\n`);
  process.exit(1);
}

/** Configure a (sub)command so its parse errors become one line and exit code 2. */
export function strict(cmd: Command): Command {
  return cmd
    .exitOverride()
    .showSuggestionAfterError(true)
    .configureOutput({
      // one line, even when commander adds its "(Did you mean ...?)" suggestion on a line of its own
      outputError: (str, write) =>
        write(
          `smallscope: ${str
            .replace(/^error: /, '')
            .trim()
            .replace(/\s*\n\s*/g, ' ')}\n`,
        ),
    });
}

/** Parse a positive integer flag or throw a UsageError naming the flag. */
export function intArg(flag: string, min = 1) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isInteger(n) || n < min)
      throw new UsageError(`${flag} must be an integer >= ${min}, got '${v}'`);
    return n;
  };
}

/** Parse a finite number flag or throw a UsageError naming the flag. */
export function numArg(flag: string) {
  return (v: string): number => {
    const n = Number(v);
    if (!Number.isFinite(n)) throw new UsageError(`${flag} must be a number, got '${v}'`);
    return n;
  };
}

export { Command, Option };
