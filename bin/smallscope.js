#!/usr/bin/env node
// The `smallscope` command. The code is TypeScript; tsx compiles it on the fly so there is no build step
// between editing a probe and running it.
import { register } from 'tsx/esm/api';

register();
await import('./main.ts');
