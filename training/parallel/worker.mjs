// Entry of a data-parallel gradient worker (see pool.ts). The code is TypeScript; tsx compiles it on the fly,
// as for the command line (bin/smallscope.js).
import { register } from 'tsx/esm/api';

register();
await import('./worker_impl.ts');
