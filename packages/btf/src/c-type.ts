import type { Btf } from './btf.js';

/**
 * C text of a type as a person would write it in a declaration without a name: `unsigned int`,
 * `struct event`, `char[16]`, `const char *`, `int (*)(void *)`, `__u64` (typedefs keep their name).
 * Type tags (`__user`, `__rcu`) are left out: they do not change what the bytes mean.
 */
export function cTypeName(btf: Btf, id: number): string {
  return declare(btf, id, '', 0);
}

/** A declaration of `name` with the type `id`, e.g. `char comm[16]` or `void (*cb)(int)`. */
export function cDeclaration(btf: Btf, id: number, name: string): string {
  return declare(btf, id, name, 0);
}

function join(base: string, inner: string): string {
  if (inner === '') return base;
  return inner.startsWith('[') ? base + inner : `${base} ${inner}`;
}

function declare(btf: Btf, id: number, inner: string, depth: number): string {
  if (depth > 32) return join('...', inner);
  const t = btf.type(id);
  switch (t.kind) {
    case 'void':
      return join('void', inner);
    case 'int':
    case 'float':
    case 'typedef':
      return join(t.name, inner);
    case 'struct':
    case 'union':
    case 'enum':
    case 'enum64': {
      const keyword = t.kind === 'enum64' ? 'enum' : t.kind;
      return join(t.name ? `${keyword} ${t.name}` : `${keyword} {...}`, inner);
    }
    case 'fwd':
      return join(`${t.union ? 'union' : 'struct'} ${t.name}`, inner);
    case 'ptr': {
      const target = btf.type(t.type);
      const star = `*${/^[A-Za-z_]/.test(inner) ? ' ' : ''}${inner}`;
      const wrapped = target.kind === 'array' || target.kind === 'func_proto' ? `(${star})` : star;
      return declare(btf, t.type, wrapped, depth + 1);
    }
    case 'array':
      return declare(btf, t.type, `${inner}[${t.nelems}]`, depth + 1);
    case 'const':
    case 'volatile':
    case 'restrict': {
      const q = t.kind;
      // A qualifier on a pointer goes after the star (`char * const`); on anything else, in front.
      if (btf.type(t.type).kind === 'ptr') return declare(btf, t.type, inner ? `${q} ${inner}` : q, depth + 1);
      return `${q} ${declare(btf, t.type, inner, depth + 1)}`;
    }
    case 'type_tag':
      return declare(btf, t.type, inner, depth + 1);
    case 'func_proto': {
      const params = t.params.map((p) => (p.type === 0 ? '...' : cTypeName(btf, p.type)));
      return declare(btf, t.returnType, `${inner}(${params.length ? params.join(', ') : 'void'})`, depth + 1);
    }
    case 'func':
      return join(`${t.name}`, inner);
    case 'var':
      return declare(btf, t.type, inner, depth + 1);
    case 'datasec':
      return join(`SEC("${t.name}")`, inner);
    case 'decl_tag':
      return join(`__attribute__((btf_decl_tag("${t.name}")))`, inner);
  }
}

/** cTypeName, or `type [id]` when the type cannot be named (a damaged BTF must still give a message). */
export function safeTypeName(btf: Btf, id: number): string {
  try {
    return cTypeName(btf, id);
  } catch {
    return `type [${id}]`;
  }
}
