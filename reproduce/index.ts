import type { Plan, SeedId } from './plan';
import { seed000 } from './seed000';
import { seed001 } from './seed001';
import { seed002 } from './seed002';
import { seed003 } from './seed003';
import { seed004 } from './seed004';

/** Every seed's plan, by the id `smallscope reproduce` takes. */
export const PLANS: Record<SeedId, Plan> = { seed000, seed001, seed002, seed003, seed004 };

export * from './plan';
