/** Bytes in a page of memory (the smallest the operating system maps; larger pages are multiples). */
export const PAGE = 4096;

/**
 * New buffers of these sizes with every page written once, so the operating system has mapped them all:
 * a first write to an untouched page faults (2.5 us a page in chromium here, 10 ms for 16 MB).
 */
export function touchedBuffers(sizes: readonly number[]): ArrayBuffer[] {
  return sizes.map((size) => {
    const buffer = new ArrayBuffer(size);
    const bytes = new Uint8Array(buffer);
    for (let i = 0; i < size; i += PAGE) bytes[i] = 0;
    return buffer;
  });
}
