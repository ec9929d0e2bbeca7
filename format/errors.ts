/**
 * An error caused by what the user gave us (a bad file, bad flag, bad text). The CLI prints its message as one
 * line on stderr and exits 2; anything else is an internal failure (exit 1).
 */
export class UsageError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}
