/**
 * Reject when a promise takes longer than `ms`. ORT session creation hangs (it does not throw) when a worker
 * script is blocked by COEP, so the page turns that hang into a message instead of a spinner forever.
 */
export function withTimeout<T>(promise: Promise<T>, ms: number, message: string): Promise<T> {
  let timer: ReturnType<typeof setTimeout>;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(message)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}
