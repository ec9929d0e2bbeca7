/**
 * Allocates buffers and touches one byte per page, off the main thread, then hands them over (transferred,
 * so the pages stay mapped and nothing is copied). See output-arrays.ts.
 */
import { touchedBuffers } from './touch';

self.onmessage = (e: MessageEvent<number[]>) => {
  const buffers = touchedBuffers(e.data);
  (self as unknown as Worker).postMessage(buffers, buffers);
};
