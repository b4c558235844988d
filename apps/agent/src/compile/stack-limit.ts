import type { Diagnostic, SnippetFile } from '@bpfplay/protocol';
import { type ClangRun, queryClang, stdinSource } from './clang.js';
import { displayPath } from './paths.js';

/**
 * clang's BPF backend says "Looks like the BPF stack limit is exceeded" once per instruction that
 * touches the stack past 512 bytes, each time at the function's name, followed by "could not
 * determine the original source location" notes, and suggests `-mllvm -bpf-stack-size`, which
 * only moves the failure to the verifier. Measured here with one `char buf[1024]`: three errors,
 * five notes, none on the array's line.
 *
 * This module turns that into one error per function, at the local variable that takes the most
 * stack, in plain words. The backend knows only frame offsets, so the variable is found by asking
 * the front end (the same clang, sandbox and flags) two questions, on this error only: which locals
 * the function declares (an AST dump filtered to the function), and how big each type is (a
 * `char x[sizeof(T)]` per type, whose dumped type carries the size).
 */

/** The kernel's MAX_BPF_STACK: one frame and its callees together. */
export const BPF_STACK_BYTES = 512;
const STACK_ERROR = /^Looks like the BPF stack limit is exceeded/;
const LOST_LOCATION = /^could not determine the original source location for /;
/** The AST of the function can be large (bpf_printk and BPF_CORE_READ expand to a lot). */
const AST_OUTPUT_BYTES = 16 * 1024 * 1024;

export function hasStackLimitError(diags: readonly Diagnostic[]): boolean {
  return diags.some((d) => d.severity === 'error' && STACK_ERROR.test(d.message));
}

interface Place {
  file: string;
  line: number;
  col: number;
}

interface Local extends Place {
  name: string;
  type: string;
  size?: number;
}

/**
 * The diagnostics with clang's stack-limit errors (and their location-less notes) replaced by one
 * error per function, placed where the first of them was. Never fails: when the front end cannot
 * say which variable it is, the error stays at the function with the same plain words.
 */
export async function explainStackLimit(diags: readonly Diagnostic[], run: ClangRun): Promise<Diagnostic[]> {
  const out: Diagnostic[] = [];
  const seen = new Set<string>();
  let inStackError = false;
  for (const d of diags) {
    if (d.severity === 'error' && STACK_ERROR.test(d.message)) {
      inStackError = true;
      const key = `${d.file}:${d.line}:${d.col}`;
      if (seen.has(key)) continue;
      seen.add(key);
      out.push(await explainOne(d, run).catch(() => atFunction(d, functionName(run.files, d))));
      continue;
    }
    if (inStackError && d.severity === 'note' && LOST_LOCATION.test(d.message)) continue;
    inStackError = false;
    out.push(d);
  }
  return out;
}

async function explainOne(d: Diagnostic, run: ClangRun): Promise<Diagnostic> {
  const fn = functionName(run.files, d);
  if (!fn) return atFunction(d, fn);
  const locals = await localsOf(fn, d, run);
  const sized = await sizeLocals(locals, run);
  const biggest = sized.filter((l) => l.size !== undefined).sort((a, b) => b.size! - a.size! || a.line - b.line)[0];
  if (!biggest) return atFunction(d, fn);
  const { file, line, col, name, size } = biggest;
  const alone = size! > BPF_STACK_BYTES;
  return {
    file,
    line,
    col,
    severity: 'error',
    message: alone
      ? `\`${name}\` takes ${size} bytes of stack, and a BPF program has ${BPF_STACK_BYTES} bytes in all: ${SCRATCH}`
      : `the locals of ${fn}() need more than the ${BPF_STACK_BYTES} bytes of stack a BPF program has; the largest is \`${name}\` (${size} bytes): ${SCRATCH}`,
  };
}

const SCRATCH =
  'keep large buffers in a map instead, e.g. a BPF_MAP_TYPE_PERCPU_ARRAY with one entry used as scratch space (look it up at the start of the program)';

function atFunction(d: Diagnostic, fn: string | undefined): Diagnostic {
  return {
    file: d.file,
    line: d.line,
    col: d.col,
    severity: 'error',
    message: `${fn ? `${fn}()` : 'this function'} needs more than the ${BPF_STACK_BYTES} bytes of stack a BPF program has (its locals and those of the functions inlined into it): ${SCRATCH}`,
  };
}

/** The identifier clang pointed at: the function's name. */
function functionName(files: readonly SnippetFile[], d: Diagnostic): string | undefined {
  const text = files.find((f) => f.name === d.file)?.content.split('\n')[d.line - 1];
  if (text === undefined || d.col < 1) return undefined;
  return /^[A-Za-z_]\w*/.exec(text.slice(d.col - 1))?.[0];
}

async function localsOf(fn: string, d: Diagnostic, run: ClangRun): Promise<Local[]> {
  const exit = await queryClang(limited(run), [
    '-fsyntax-only',
    '-Xclang',
    '-ast-dump=json',
    '-Xclang',
    `-ast-dump-filter=${fn}`,
  ]);
  if (exit.truncated) return [];
  const places = new Placer(run);
  const fnNode = parseConcatenated(exit.stdout)
    .map((n) => places.resolveTop(n))
    .find((n) => {
      if (n.kind !== 'FunctionDecl' || n.name !== fn || !Array.isArray(n.inner)) return false;
      const at = places.of(n.loc);
      return at?.file === d.file && at.line === d.line;
    });
  if (!fnNode) return [];
  const locals: Local[] = [];
  const walk = (n: AstNode) => {
    if (n.kind === 'VarDecl' && typeof n.name === 'string' && !/^_+bpfplay/.test(n.name) && !n.storageClass) {
      const at = places.of(n.loc);
      const type = n.type?.qualType;
      if (at && typeof type === 'string') locals.push({ ...at, name: n.name, type });
    }
    for (const c of n.inner ?? []) walk(c);
  };
  walk(fnNode);
  return locals;
}

/** Asks clang for `sizeof` of each local's type at file scope; types it cannot name there stay unsized. */
async function sizeLocals(locals: Local[], run: ClangRun): Promise<Local[]> {
  const types = [...new Set(locals.map((l) => l.type))].filter((t) => !/\((unnamed|anonymous)\b/.test(t));
  if (types.length === 0) return locals;
  const probe = types.map((t, i) => `char __bpfplay_sizeof_${i}[sizeof(${t})];`).join('\n');
  const files = run.files.map((f) => (f.name === run.main ? { ...f, content: `${f.content}\n${probe}\n` } : f));
  const exit = await queryClang(limited({ ...run, files }), [
    '-fsyntax-only',
    '-Xclang',
    '-ast-dump=json',
    '-Xclang',
    '-ast-dump-filter=__bpfplay_sizeof_',
  ]);
  const sizes = new Map<string, number>();
  for (const n of parseConcatenated(exit.stdout)) {
    const i = /^__bpfplay_sizeof_(\d+)$/.exec(String(n.name))?.[1];
    const size = /^char\[(\d+)\]$/.exec(n.type?.qualType ?? '')?.[1];
    if (i !== undefined && size !== undefined && types[Number(i)] !== undefined)
      sizes.set(types[Number(i)]!, Number(size));
  }
  return locals.map((l) => (sizes.has(l.type) ? { ...l, size: sizes.get(l.type)! } : l));
}

function limited(run: ClangRun): ClangRun {
  return { ...run, limits: { ...run.limits, outputBytes: Math.max(run.limits.outputBytes, AST_OUTPUT_BYTES) } };
}

interface AstLoc {
  offset?: number;
  file?: string;
  col?: number;
  spellingLoc?: AstLoc;
  expansionLoc?: AstLoc;
  /** Filled in by Placer.resolveAll: the file this location is in (clang writes it only when it changes). */
  resolvedFile?: string;
}

interface AstNode {
  kind?: string;
  name?: unknown;
  loc?: AstLoc;
  storageClass?: string;
  type?: { qualType?: string };
  inner?: AstNode[];
}

/**
 * clang's JSON dump writes a location's "file" (and "line") only when it differs from the one
 * written before, in document order, but always writes the byte "offset". So: walk the dump in
 * order remembering the file, and turn (file, offset) into a line of the snippet's own text.
 */
class Placer {
  private file: string | undefined;
  private readonly texts = new Map<string, string>();
  private readonly main: string;

  constructor(run: ClangRun) {
    for (const f of run.files) this.texts.set(`/src/${f.name}`, f.content);
    const main = run.files.find((f) => f.name === run.main);
    if (main) this.texts.set('<stdin>', stdinSource(run.main, main.content));
    this.main = run.main;
  }

  /** Each declaration clang dumps starts a fresh "last file". */
  resolveTop(n: AstNode): AstNode {
    this.file = undefined;
    return this.resolveAll(n);
  }

  private resolveAll<T>(v: T): T {
    if (Array.isArray(v)) v.forEach((x) => this.resolveAll(x));
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown> & AstLoc;
      if (typeof o.offset === 'number' && typeof o.col === 'number') {
        if (typeof o.file === 'string') this.file = o.file;
        o.resolvedFile = this.file;
      }
      for (const k of Object.keys(o)) if (k !== 'resolvedFile') this.resolveAll(o[k]);
    }
    return v;
  }

  /** Where a (possibly macro-expanded) location is in the snippet, or undefined outside it. */
  of(loc: AstLoc | undefined): Place | undefined {
    const bare = loc?.expansionLoc ?? loc;
    if (!bare || bare.offset === undefined || bare.resolvedFile === undefined || bare.col === undefined)
      return undefined;
    const text = this.texts.get(bare.resolvedFile);
    if (text === undefined) return undefined;
    let line = 1;
    for (let i = 0; i < bare.offset && i < text.length; i++) if (text.charCodeAt(i) === 10) line++;
    // The stdin source starts with a line marker that names the main file from its next line on.
    if (bare.resolvedFile === '<stdin>') return { file: this.main, line: line - 1, col: bare.col };
    return { file: displayPath(bare.resolvedFile), line, col: bare.col };
  }
}

/** clang prints one JSON value per matching declaration, one after the other. */
function parseConcatenated(text: string): AstNode[] {
  const out: AstNode[] = [];
  let depth = 0;
  let start = -1;
  let inString = false;
  for (let i = 0; i < text.length; i++) {
    const c = text[i];
    if (inString) {
      if (c === '\\') i++;
      else if (c === '"') inString = false;
      continue;
    }
    if (c === '"') inString = true;
    else if (c === '{') {
      if (depth++ === 0) start = i;
    } else if (c === '}' && --depth === 0 && start >= 0) {
      try {
        out.push(JSON.parse(text.slice(start, i + 1)) as AstNode);
      } catch {
        // A dump cut short or mixed with clang's own messages: skip that value.
      }
      start = -1;
    }
  }
  return out;
}
