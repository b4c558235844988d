import { Btf, BtfError, type BtfParseOptions } from './btf.js';
import { parseElf } from './elf.js';

/**
 * BTF from whatever file a user has: raw BTF (/sys/kernel/btf/vmlinux, `bpftool gen min_core_btf`
 * output) or an ELF with a `.BTF` section (a vmlinux image, a BPF object).
 */
export function loadBtf(bytes: Uint8Array, options: BtfParseOptions = {}): Btf {
  if (bytes[0] === 0x7f && bytes[1] === 0x45 && bytes[2] === 0x4c && bytes[3] === 0x46) {
    const sec = parseElf(bytes).section('.BTF');
    if (!sec)
      throw new BtfError(
        `${options.name ?? 'file'}: ELF file without a .BTF section; build it with -g (or CONFIG_DEBUG_INFO_BTF for a kernel)`,
      );
    return Btf.parse(sec.data, options);
  }
  return Btf.parse(bytes, options);
}
