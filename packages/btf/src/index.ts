export * from './btf-types.js';
export { Btf, BtfError, POINTER_SIZE, type BtfParseOptions } from './btf.js';
export { loadBtf } from './load-btf.js';
export { cTypeName, cDeclaration, safeTypeName } from './c-type.js';
export { parseElf, programSymbols, ElfError, SHT, SHF, STT, STB, EM_BPF } from './elf.js';
export type { ElfFile, ElfSection, ElfSymbol, ElfRelocation, ElfRelocationSection, ElfProgramSymbol } from './elf.js';
export { parseBtfExt, lineAt, CORE_RELO_KINDS } from './btf-ext.js';
export { enumOnlyBtf } from './enum-btf.js';
export type { BtfExt, FuncInfo, LineInfo, CoreReloRecord, CoreReloKind } from './btf-ext.js';
export { decodeInsns, BPF_EXIT, BPF_JMP_CALL, BPF_LD_IMM64, type BpfInsn } from './insn.js';
export { openObjectSpec, type ObjectSpec, type ProgramSpec } from './object-spec.js';
export { decodeValue, layoutOf } from './decode.js';
export { recordLayout } from './layout.js';
export { fieldsOf } from './fields.js';
export {
  mapDefinitions,
  findRecordType,
  RECORD_TAG,
  RENDER_TAG,
  type MapDefinition,
  type RecordTypeResult,
} from './maps.js';
export { helperNames } from './helper-names.js';
export { scanCalls, type KfuncCall, type ProgramCall, type ProgramCalls, type SourceLine } from './call-scan.js';
export {
  resolveCoreRelocations,
  type CoreTarget,
  type CoreTargetResult,
  type CoreRelocationReport,
} from './co-re/resolve.js';
export { essentialName, typesAreCompatible, typesMatch, fieldsAreCompatible } from './co-re/compat.js';
export { parseLocalSpec, formatAccess, type CoreSpec, type CoreAccessor } from './co-re/spec.js';
