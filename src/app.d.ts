// See https://svelte.dev/docs/kit/types#app.d.ts
import type { PageSnapshot } from '$lib/inspect/page-snapshot';

declare global {
  namespace App {
    // interface Error {}
    // interface Locals {}
    // interface PageData {}
    // interface PageState {}
    // interface Platform {}
  }
  interface Window {
    /** What the inspect page last drew, for the browser tests to compare with the pixels (see snapshot.ts). */
    __smallscope?: PageSnapshot;
  }
}

export {};
