import { layoutOf, type Btf } from '@bpfplay/btf';
import type { LayoutNode } from '@bpfplay/protocol';
import { hiddenVar } from '../stream/btf-decoder.js';
import { cString, emitJsonFunction } from './c-decode.js';

/**
 * Global variables at exit, as `bpfplay run`'s last snapshot prints them (cli/format.ts): the
 * section's map as `map <object>.bss (array)`, then `  ".bss": {"calls":3,...}` with the variables the
 * playground shows (btf-decoder.ts: its own `__bpfplay` and `___` helpers are hidden), and nothing at
 * all when none is shown. The name is the map's as libbpf names it in this binary.
 */
export interface ExportedGlobals {
  /** `.rodata` (the knobs, as the flags set them), `.data` or `.bss`. */
  section: string;
  /** The skeleton's member for the section's map: `skel->maps.bss`. */
  member: string;
  root: Extract<LayoutNode, { k: 'struct' }>;
}

export function globalsOf(btf: Btf): ExportedGlobals[] {
  const out: ExportedGlobals[] = [];
  // The order libbpf lists them in for a clang object (sections by index), which `bpfplay run` keeps.
  for (const section of ['.rodata', '.data', '.bss']) {
    const sec = btf.find(section, 'datasec');
    if (!sec) continue;
    const root = layoutOf(btf, sec.id).root;
    if (root.k !== 'struct') continue;
    const fields = root.fields.filter((f) => !hiddenVar(f.name));
    if (fields.length) out.push({ section, member: section.slice(1), root: { ...root, fields } });
  }
  return out;
}

export function globalsCode(g: ExportedGlobals, i: number): string {
  return `${emitJsonFunction(`globals_value_${i}`, g.root)}static void print_globals_${i}(struct bpf_map *map)
{
	__u32 zero = 0;
	unsigned char *val = calloc(1, bpf_map__value_size(map) + 8);
	struct sbuf b = { 0 };

	if (!bpf_map_lookup_elem(bpf_map__fd(map), &zero, val)) {
		globals_value_${i}(&b, val);
		printf("map %s (array)\\n  %s: %s\\n", bpf_map__name(map), ${cString(JSON.stringify(g.section))}, b.s);
	}
	free(b.s);
	free(val);
}
`;
}

export const globalsCall = (g: ExportedGlobals, i: number) => `\t\tprint_globals_${i}(skel->maps.${g.member});\n`;
