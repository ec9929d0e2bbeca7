import { afterPaint } from './after-paint';
import { PAGE, touchedBuffers } from './touch';

/**
 * Memory for onnxruntime-web's outputs, mapped before a run needs it.
 *
 * onnxruntime-web copies each output out of the wasm heap into a new typed array. At 2048 tokens an attention
 * pattern is 16 MB, and a new buffer that large comes from the operating system unmapped: the copy then
 * faults its 4096 pages in one at a time, which costs about three times the copy itself (chromium on the
 * 2-core machine: 14 ms for a new 16 MB array and its copy, 4 ms to copy into memory already mapped).
 *
 * A run's patterns live on in the page after the next run starts (the drawn heatmap, deferred head scores,
 * figure downloads), so their arrays are never reused. Instead, after each run a worker allocates a buffer for
 * each large output that run returned, writes one byte per page and transfers the buffers here; the next
 * run's outputs of about the same size (a text a token longer or shorter) are written into them. Each buffer
 * is handed out once. A run that finds none ready (a text pasted at another length, keys faster than the
 * worker) gets new arrays, as before.
 *
 * The build points onnxruntime-web's output allocation here (scripts/vite/ort-output-arrays.ts).
 */

export type ArrayConstructor<T> = {
  new (length: number): T;
  new (buffer: ArrayBuffer, byteOffset: number, length: number): T;
  readonly BYTES_PER_ELEMENT: number;
};

/** Buffers of the given sizes (bytes) with their pages mapped. */
export type Preparer = (sizes: number[]) => Promise<ArrayBuffer[]>;

export interface ReserveOptions {
  /** Outputs smaller than this get a plain new array (small buffers come from the allocator's warm pools). */
  minBytes?: number;
  /** A prepared buffer is this fraction larger than the output it is prepared after, so that the next text's
   *  output, a token longer (T^2 + 2T + 1 elements), still fits. */
  slack?: number;
  /** The most bytes prepared at once (a 4096-token text's patterns are 64 MB a head). */
  maxBytes?: number;
  prepare?: Preparer;
  /** Runs `f` after the current task, so that one run's outputs are asked for together. */
  later?: (f: () => void) => void;
}

export interface OutputReserve {
  /** An array of exactly `length` elements for an output: over a prepared buffer when one fits, else new. */
  take<T>(ctor: ArrayConstructor<T>, length: number): T;
  /** Sizes of the buffers prepared and not yet handed out. */
  readonly spareBytes: number[];
  /** How many large outputs were written into prepared buffers, and how many into new arrays. */
  readonly counts: { prepared: number; fresh: number };
  /** Let go of every prepared buffer, and of those in preparation when they arrive (a session closed). */
  release(): void;
  /** Settles once no preparation is under way (for tests). */
  settled(): Promise<void>;
}

export function createOutputReserve({
  minBytes = 1 << 20,
  slack = 0.1,
  maxBytes = 256 << 20,
  prepare = workerPreparer(),
  later = afterPaint,
}: ReserveOptions = {}): OutputReserve {
  /** Buffers mapped and not yet handed out. */
  let spares: ArrayBuffer[] = [];
  /** Output sizes (bytes) asked for since the last request to the preparer. */
  let asked: number[] = [];
  let scheduled = false;
  let preparing: Promise<void> | null = null;
  /** Counts release() calls: buffers asked for before one are dropped when they arrive. */
  let generation = 0;
  const counts = { prepared: 0, fresh: 0 };

  /** A buffer that holds `bytes` and is not much larger (a 64 MB spare is not kept alive by a 1 MB output). */
  const fits = (b: ArrayBuffer, bytes: number) => b.byteLength >= bytes && b.byteLength <= 2 * bytes;

  /** After a run: keep the spares that fit its sizes, drop the rest, and prepare what is missing. */
  const request = () => {
    scheduled = false;
    if (preparing) return; // asked again once the buffers in preparation have arrived
    let total = 0;
    const sizes = asked.filter((size) => (total += size) <= maxBytes);
    asked = [];
    const free = [...spares];
    const keep: ArrayBuffer[] = [];
    const missing: number[] = [];
    for (const size of sizes) {
      const i = free.findIndex((b) => fits(b, size));
      if (i >= 0) keep.push(...free.splice(i, 1));
      else missing.push(Math.ceil((size * (1 + slack)) / PAGE) * PAGE);
    }
    spares = keep;
    if (missing.length === 0) return;
    const asOf = generation;
    preparing = prepare(missing)
      .then(
        (buffers) => void (asOf === generation && spares.push(...buffers)),
        () => {}, // no spares this time: the next run allocates, as it would without a reserve
      )
      .finally(() => {
        preparing = null;
        if (asked.length > 0) schedule();
      });
  };

  const schedule = () => {
    if (scheduled) return;
    scheduled = true;
    later(request);
  };

  return {
    take<T>(ctor: ArrayConstructor<T>, length: number): T {
      const bytes = length * ctor.BYTES_PER_ELEMENT;
      if (bytes < minBytes) return new ctor(length);
      asked.push(bytes);
      schedule();
      const i = spares.findIndex((b) => fits(b, bytes));
      if (i < 0) {
        counts.fresh++;
        return new ctor(length);
      }
      counts.prepared++;
      const [buffer] = spares.splice(i, 1);
      return new ctor(buffer, 0, length);
    },
    get spareBytes() {
      return spares.map((b) => b.byteLength);
    },
    get counts() {
      return { ...counts };
    },
    release() {
      generation++;
      spares = [];
      asked = [];
    },
    async settled() {
      while (scheduled || preparing) await (preparing ?? new Promise((r) => setTimeout(r, 0)));
    },
  };
}

/**
 * Buffers mapped by a worker (touch-worker.ts) and transferred here, so the main thread spends nothing on
 * them; where no worker starts, mapped on this thread after the current task.
 */
function workerPreparer(): Preparer {
  let worker: Worker | null | undefined;
  const start = () => {
    if (worker !== undefined) return worker;
    try {
      worker = new Worker(new URL('./touch-worker.ts', import.meta.url), { type: 'module' });
    } catch {
      worker = null;
    }
    return worker;
  };
  return (sizes) => {
    const w = typeof Worker === 'function' ? start() : null;
    if (!w) return Promise.resolve(touchedBuffers(sizes));
    return new Promise((resolve, reject) => {
      w.onmessage = (e: MessageEvent<ArrayBuffer[]>) => resolve(e.data);
      w.onerror = (e) => {
        worker = null;
        reject(e);
      };
      w.postMessage(sizes);
    });
  };
}

/** The page's reserve: onnxruntime-web's output arrays come from here (see the module comment). */
export const outputReserve = createOutputReserve();

/** The function the patched onnxruntime-web calls for each output's array. */
export function ortOutputArray<T>(ctor: ArrayConstructor<T>, length: number): T {
  return outputReserve.take(ctor, length);
}
