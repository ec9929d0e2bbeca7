/**
 * Run an async job for the latest input only. Typing fires an input event per keystroke, and a model run can
 * take longer than a keystroke: runs never overlap (one ORT session is not reentrant), and inputs that arrive
 * during a run are coalesced so only the newest one is computed next.
 */
export function latestOnly<I, O>(
  work: (input: I) => Promise<O>,
  done: (input: I, output: O) => void,
  failed: (input: I, error: unknown) => void,
): (input: I) => void {
  let pending: { input: I } | null = null;
  let running = false;

  async function drain(): Promise<void> {
    running = true;
    while (pending) {
      const { input } = pending;
      pending = null;
      try {
        done(input, await work(input));
      } catch (err) {
        failed(input, err);
      }
    }
    running = false;
  }

  return (input: I) => {
    pending = { input };
    if (!running) void drain();
  };
}
