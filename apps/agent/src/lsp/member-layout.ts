import type { Btf } from '@bpfplay/btf';
import type { LspResultOf } from '@bpfplay/protocol';

/**
 * Hovering `t->tgid` shows where the member is in this kernel's struct. clangd prints a field's
 * offset and size only when the cursor is on the field's own declaration (in vmlinux.h, which the
 * user never opens), so the agent adds them from the kernel's BTF, the source of vmlinux.h: the
 * numbers are this kernel's, which is what CO-RE relocates against.
 */
export function enrichMemberHover(hover: LspResultOf<'hover'>, btf: () => Btf): LspResultOf<'hover'> {
  const field = /^### field `(\w+)`/.exec(hover.contents)?.[1];
  const owner = /\/\/ In (struct|union) (\w+)/.exec(hover.contents);
  let contents = hover.contents.replace(/```cpp\n/g, '```c\n').replace(/^public: /gm, '');
  if (field && owner && !/^Offset: /m.test(contents)) {
    const layout = memberLayout(btf(), owner[1] as 'struct' | 'union', owner[2]!, field);
    if (layout) {
      const lines = contents.split('\n');
      const at = lines.findIndex((l) => l.startsWith('Type: '));
      lines.splice(at < 0 ? 1 : at + 1, 0, `Offset: ${layout.offset}  `, `Size: ${layout.size}  `);
      contents = lines.join('\n');
    }
  }
  return { ...hover, contents };
}

export function memberLayout(
  btf: Btf,
  kind: 'struct' | 'union',
  owner: string,
  member: string,
): { offset: string; size: string } | undefined {
  const id = btf.findByName(owner, kind)[0];
  if (id === undefined) return undefined;
  const m = btf.flatMembers(id).find((x) => x.name === member);
  if (!m) return undefined;
  const bytes = Math.floor(m.bitOffset / 8);
  const bits = m.bitOffset % 8;
  if (m.bitfieldSize) {
    return {
      offset: `${bytes} bytes${bits ? ` + ${bits} bits` : ''}`,
      size: `${m.bitfieldSize} bits`,
    };
  }
  const size = btf.trySizeOf(m.type);
  if (size === undefined) return undefined;
  return { offset: `${bytes} bytes`, size: `${size} byte${size === 1 ? '' : 's'}` };
}
