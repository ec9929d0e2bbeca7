import { CONSTANTS } from './constants';
import type { OpFn } from './context';
import { CONTROL } from './control';
import { CONV } from './conv';
import { ELEMENTWISE } from './elementwise';
import { INDEXING } from './indexing';
import { MATMUL } from './matmul';
import { NORMALIZATION } from './normalization';
import { RECURRENT } from './recurrent';
import { REDUCE } from './reduce';
import { SHAPE } from './shape';

/** Every default-domain (ai.onnx) op the interpreter evaluates, by op type. */
export const OPS: Readonly<Record<string, OpFn>> = {
  ...ELEMENTWISE,
  ...MATMUL,
  ...CONV,
  ...NORMALIZATION,
  ...REDUCE,
  ...SHAPE,
  ...INDEXING,
  ...CONSTANTS,
  ...CONTROL,
  ...RECURRENT,
};
