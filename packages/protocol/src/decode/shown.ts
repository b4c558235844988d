import type { Value } from '../common';
import { formatterNamed } from './formatters';
import type { LayoutNode, RecordLayout } from './layout';
import { compileNode, ctxFor, type Ctx } from './read';

/**
 * The readable forms of a record's fields (formatters.ts), beside its raw value: `{ ret: '-ENOENT',
 * flags: 'O_RDONLY|O_CLOEXEC' }` for the fields that have one. Keyed by top-level field; a field
 * that is a struct with formatted members inside shows as that struct with those members replaced.
 * The agent puts it in a JSON record's `shown`, clients compute it from binary records' bytes: one
 * function, so both say the same.
 */
export type ShownReader = (bytes: Uint8Array) => { [field: string]: Value } | undefined;

/** A node's readable form at its frame's position, or undefined when nothing in it has one. */
type ShownRead = (c: Ctx, base: number) => Value | undefined;

/** Compiled once per layout object; `null`: nothing in the layout is formatted. */
const compiled = new WeakMap<RecordLayout, ShownReader | null>();

/**
 * The reader of a layout's readable forms, or undefined when no field of it has a formatter this
 * build knows (most layouts: then nothing is read twice and records carry no `shown`).
 */
export function shownReader(layout: RecordLayout | undefined): ShownReader | undefined {
  if (!layout) return undefined;
  let r = compiled.get(layout);
  if (r === undefined) compiled.set(layout, (r = compileShown(layout) ?? null));
  return r ?? undefined;
}

/** The readable forms of one record's fields (see shownReader), or undefined when none has one. */
export function shownOf(layout: RecordLayout | undefined, bytes: Uint8Array): { [field: string]: Value } | undefined {
  return shownReader(layout)?.(bytes);
}

function compileShown(layout: RecordLayout): ShownReader | undefined {
  const root = layout.root;
  if (root.k !== 'struct') return undefined;
  const fields: { name: string; read: ShownRead }[] = [];
  for (const f of root.fields) {
    const read = shownNode(f.node);
    if (read) fields.push({ name: f.name, read });
  }
  if (fields.length === 0) return undefined;
  const { size } = layout;
  const off = root.off;
  return (bytes) => {
    // A record shorter than its type is not decoded (decodeRecord explains it): nothing to name.
    if (bytes.length < size) return undefined;
    const c = ctxFor(bytes);
    let out: { [field: string]: Value } | undefined;
    for (const f of fields) {
      const v = f.read(c, c.start + off);
      if (v !== undefined) (out ??= {})[f.name] = v;
    }
    return out;
  };
}

/** A node's reader of readable forms, or undefined when nothing in it is formatted. */
function shownNode(n: LayoutNode): ShownRead | undefined {
  if (n.fmt !== undefined) {
    const format = formatterNamed(n.fmt);
    if (!format) return undefined;
    const plain = compileNode(n);
    return (c, base) => format(plain(c, base));
  }
  if (n.k === 'struct') {
    const inner = n.fields.map((f) => ({ name: f.name, read: shownNode(f.node) }));
    if (!inner.some((f) => f.read)) return undefined;
    const plain = compileNode(n);
    const { off } = n;
    return (c, base) => {
      let obj: { [k: string]: Value } | undefined;
      for (const f of inner) {
        const v = f.read?.(c, base + off);
        if (v === undefined) continue;
        obj ??= { ...(plain(c, base) as { [k: string]: Value }) };
        obj[f.name] = v;
      }
      return obj;
    };
  }
  if (n.k === 'array') {
    const elem = shownNode(n.elem);
    if (!elem) return undefined;
    const plain = compileNode(n);
    const { off, n: count, stride } = n;
    return (c, base) => {
      let arr: Value[] | undefined;
      for (let i = 0; i < count; i++) {
        const v = elem(c, base + off + i * stride);
        if (v === undefined) continue;
        arr ??= [...(plain(c, base) as Value[])];
        arr[i] = v;
      }
      return arr;
    };
  }
  return undefined;
}
