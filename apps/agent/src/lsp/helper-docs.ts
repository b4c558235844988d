import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { LspResultOf } from '@bpfplay/protocol';
import { SYSTEM_BPF_INCLUDE } from '../compile/toolchain.js';

/**
 * The BPF helpers as libbpf's bpf_helper_defs.h declares them: each a function pointer with named
 * parameters, under a comment from the kernel's UAPI documentation. clangd shows the documentation
 * only once it has indexed the headers (seconds after a clangd starts) and prints the pointer's type
 * without parameter names; the editor's hover and signature help take both from here instead.
 */
export interface HelperDoc {
  name: string;
  returns: string;
  /** `void *ringbuf`, `__u64 size`, ... */
  params: string[];
  /** The comment, as Markdown (libbpf writes *emphasis* already). */
  doc: string;
}

export function parseHelperDefs(text: string): Map<string, HelperDoc> {
  const out = new Map<string, HelperDoc>();
  const re = /\/\*\n \* (\w+)\n((?: \*.*\n)*?) \*\/\nstatic (.+?)\(\* const (\w+)\)\((.*)\) = \(void \*\) \d+;/g;
  for (const m of text.matchAll(re)) {
    const [, docName, body, returns, name, params] = m;
    if (docName !== name) continue;
    out.set(name!, {
      name: name!,
      returns: returns!.trim(),
      params: params!.trim() === 'void' ? [] : params!.split(',').map((p) => p.trim()),
      doc: commentMarkdown(body!),
    });
  }
  return out;
}

/** ` * \tReserve *size* bytes...` lines → paragraphs; "Returns" becomes a bold heading. */
function commentMarkdown(body: string): string {
  const lines = body.split('\n').map((l) => l.replace(/^ \*[ \t]?/, '').replace(/^\t/, ''));
  const paras: string[] = [];
  let cur: string[] = [];
  const flush = () => {
    if (cur.length) paras.push(cur.join(' '));
    cur = [];
  };
  for (const l of lines) {
    if (!l.trim()) flush();
    else if (l.trim() === 'Returns') {
      flush();
      cur.push('**Returns**');
    } else cur.push(l.trim());
  }
  flush();
  return paras.join('\n\n');
}

let loaded: Map<string, HelperDoc> | undefined;

/** This host's libbpf helpers (read once; an absent header means no extra documentation). */
export function helperDocs(): Map<string, HelperDoc> {
  if (loaded) return loaded;
  try {
    loaded = parseHelperDefs(readFileSync(join(SYSTEM_BPF_INCLUDE, 'bpf_helper_defs.h'), 'utf8'));
  } catch {
    loaded = new Map();
  }
  return loaded;
}

export function signatureOf(h: HelperDoc): string {
  return `${h.returns}${h.returns.endsWith('*') ? '' : ' '}${h.name}(${h.params.join(', ')})`;
}

/**
 * clangd's hover of a helper (`### variable \`bpf_ringbuf_reserve\``), with the declaration as
 * libbpf writes it and, if clangd did not have it yet, the documentation.
 */
export function enrichHover(
  hover: LspResultOf<'hover'>,
  docs: Map<string, HelperDoc> = helperDocs(),
): LspResultOf<'hover'> {
  const m = /^### \w+ `(bpf_\w+)`/.exec(hover.contents);
  const h = m ? docs.get(m[1]!) : undefined;
  if (!h) return hover;
  let lines = hover.contents.split('\n');
  // clangd's own copy of the comment (once it has indexed the headers) follows "Type:", escaped
  // and line by line; ours replaces it, so the hover reads the same before and after indexing.
  const type = lines.findIndex((l) => l.startsWith('Type: '));
  if (type >= 0) {
    let stop = type + 1;
    while (stop < lines.length && lines[stop]!.trim() !== '' && lines[stop] !== '---') stop++;
    lines = [...lines.slice(0, type + 1), ...lines.slice(stop)];
  }
  // After clangd's heading ("### variable `x`", "provided by ..."), before its first rule.
  let end = lines.findIndex((l) => l === '---');
  if (end < 0) end = lines.length;
  while (end > 1 && lines[end - 1]!.trim() === '') end--;
  const added = ['', '```c', `${signatureOf(h)};`, '```', '', h.doc];
  return { ...hover, contents: [...lines.slice(0, end), ...added, ...lines.slice(end)].join('\n') };
}

/**
 * clangd's signature help for a call through a helper's function pointer: `(void *, __u64, __u64)
 * -> void *`. With the callee's name known (the text before the open parenthesis), the label
 * becomes libbpf's declaration with parameter names, and the documentation is attached.
 */
export function enrichSignature(
  help: LspResultOf<'signatureHelp'>,
  callee: string | undefined,
  docs: Map<string, HelperDoc> = helperDocs(),
): LspResultOf<'signatureHelp'> {
  const h = callee ? docs.get(callee) : undefined;
  if (!h || help.signatures.length !== 1 || help.signatures[0]!.parameters.length !== h.params.length) return help;
  const head = `${h.name}(`;
  const parameters: [number, number][] = [];
  let label = head;
  h.params.forEach((p, i) => {
    if (i) label += ', ';
    parameters.push([label.length, label.length + p.length]);
    label += p;
  });
  label += `) -> ${h.returns}`;
  return { ...help, signatures: [{ label, documentation: h.doc, parameters }] };
}

/** The function whose call the cursor is in: the name before the innermost open parenthesis. */
export function calleeAt(textBefore: string): string | undefined {
  let depth = 0;
  for (let i = textBefore.length - 1; i >= 0 && i > textBefore.length - 4000; i--) {
    const c = textBefore[i];
    if (c === ')') depth++;
    else if (c === '(') {
      if (depth === 0) return /([A-Za-z_]\w*)\s*$/.exec(textBefore.slice(0, i))?.[1];
      depth--;
    } else if (c === ';' || c === '{' || c === '}') return undefined;
  }
  return undefined;
}
