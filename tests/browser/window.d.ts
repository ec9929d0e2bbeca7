import type { PageSnapshot } from '../../src/lib/inspect/page-snapshot';

// The hook the inspect page sets after each run (src/app.d.ts declares the same for the app).
declare global {
  interface Window {
    __smallscope?: PageSnapshot;
  }
}

export {};
