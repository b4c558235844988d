/**
 * The half of the protocol that holds no message schema: decoding records, stacks and packets,
 * naming numbers, log2 histograms. A runner process imports this entry (`@bpfplay/protocol/decoding`)
 * instead of the index: the index builds every zod schema when it loads, which was 750 KB of the
 * runner's 1.06 MB bundle and most of its ~0.35 s of CPU to start (bench figure 4: 50 learners
 * pressing Run start 7 runner processes on 2 cores). Nothing here may import zod.
 */
export { compileNode, ctxFor, decodeRecord, hexValue, layoutColumns, type Ctx, type Read } from './decode/read';
export { cString, intValue, toHex, undecodable } from './decode/scalars';
export { FORMATTERS, formatterFor, formatterNamed, type FieldContext, type Formatter } from './decode/formatters';
export { shownOf, shownReader, type ShownReader } from './decode/shown';
export {
  COMM_FIELD,
  PID_FIELD,
  STACK_FIELD,
  STACK_TAG,
  frameHex,
  isKernelFrame,
  isStackArray,
  namedFrames,
  recordStackFields,
  stackAddresses,
  symbolKey,
  type RecordStackField,
} from './decode/stacks';
export * from './packet/build';
export * from './packet/decode';
export * from './packet/flow-keys';
export * from './log2-hist';
export * from './number-names';
