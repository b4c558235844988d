import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import type { DisasmLine, SourceLocation } from '@bpfplay/protocol';
import type { CompileLimits } from './limits.js';
import { displayPath } from './paths.js';
import { runSandboxed } from './sandbox.js';
import { makeRunDir, removeDir, RUN_FILE_MODE } from './storage.js';
import { OBJDUMP, SYSTEM_BPF_INCLUDE } from './toolchain.js';

export interface DisasmSection {
  section: string;
  /** Functions in this section: the programs (for `.text`, the subprograms they call). */
  programs: string[];
  lines: DisasmLine[];
}

/** Returns the text of `file` line `line` (1-based) if that file may be shown, else undefined. */
export type SourceLookup = (file: string, line: number) => string | undefined;

const SECTION = /^Disassembly of section (.+):$/;
const LABEL = /^[0-9a-f]+ <(.+)>:$/;
/**
 * `-l` prints the symbol it thinks covers an address (`; name():`) before locations. In a
 * relocatable BPF object every section starts at 0, so it often names a map or a format string
 * from another section: ignored, the label lines are right.
 */
const FUNC_NAME = /^; .*\(\):$/;
const LOCATION = /^; (\/.*?|<[^>]+>):(\d+)(?::\d+)?(?: \(discriminator \d+\))?$/;
const INSN = /^\s*(\d+):\t(.*)$/;
const RELOC = /^\s+[0-9a-f]+:\s+(R_BPF_\w+)\s+(.*)$/;
const CORE_RELOC = /^\s+[0-9a-f]+:\s+(CO-RE .*)$/;
const HELPER_CALL = /^call (0x[0-9a-f]+)$/;

/**
 * Parses `llvm-objdump -d -l -r --no-show-raw-insn` output. Each instruction gets its index (as
 * the verifier counts, a 16-byte ld_imm64 takes two), its source location in the snippet's own
 * names, and annotations a reader needs: the map or function a relocation points at, the
 * CO-RE access it encodes, and helper calls by name. A `source` line precedes each run of
 * instructions from a new source line.
 */
export function parseDisassembly(
  text: string,
  source: SourceLookup,
  helpers: ReadonlyMap<number, string>,
): DisasmSection[] {
  const sections: DisasmSection[] = [];
  let cur: DisasmSection | undefined;
  let loc: SourceLocation | undefined;
  let shownLoc: string | undefined;
  let last: DisasmLine | undefined;
  let lastHasReloc = false;

  const finishInsn = () => {
    if (last && !lastHasReloc) {
      const m = HELPER_CALL.exec(last.text);
      const name = m ? helpers.get(Number(m[1])) : undefined;
      if (name) last.text += ` <${name}>`;
    }
    last = undefined;
    lastHasReloc = false;
  };

  for (const line of text.split('\n')) {
    let m: RegExpExecArray | null;
    if ((m = SECTION.exec(line))) {
      finishInsn();
      cur = { section: m[1]!, programs: [], lines: [] };
      sections.push(cur);
      loc = undefined;
      shownLoc = undefined;
    } else if (!cur) {
      continue;
    } else if ((m = LABEL.exec(line))) {
      finishInsn();
      cur.programs.push(m[1]!);
      cur.lines.push({ kind: 'label', text: m[1]! });
      shownLoc = undefined;
    } else if (FUNC_NAME.test(line)) {
      continue;
    } else if ((m = LOCATION.exec(line))) {
      const ln = Number(m[2]);
      loc = ln > 0 ? { file: displayPath(m[1]!), line: ln } : undefined;
    } else if ((m = INSN.exec(line))) {
      finishInsn();
      const key = loc ? `${loc.file}:${loc.line}` : undefined;
      if (loc && key !== shownLoc) {
        cur.lines.push({ kind: 'source', text: source(loc.file, loc.line) ?? '', location: { ...loc } });
      }
      shownLoc = key;
      last = { kind: 'insn', text: m[2]!.replace(/\t/g, ' ').trim(), insn: Number(m[1]) };
      if (loc) last.location = { ...loc };
      cur.lines.push(last);
    } else if ((m = RELOC.exec(line)) && last) {
      last.text += ` <${m[2]!.trim()}>`;
      lastHasReloc = true;
    } else if ((m = CORE_RELOC.exec(line)) && last) {
      last.text += ` <${m[1]!.trim()}>`;
    }
  }
  finishInsn();
  return sections;
}

/**
 * llvm-objdump's text for an object, run in the sandbox like clang: the object is user-shaped
 * input to a parser running as root otherwise. No `-S`: objdump would read source files named by
 * the object's DWARF; source lines come from makeSourceLookup's fixed list instead.
 */
export async function runObjdump(object: Buffer, limits: CompileLimits): Promise<string> {
  const dir = await makeRunDir('readable');
  try {
    await writeFile(join(dir, 'prog.o'), object, { mode: RUN_FILE_MODE });
    const exit = await runSandboxed({
      argv: [OBJDUMP, '-d', '-l', '-r', '--no-show-raw-insn', '/obj/prog.o'],
      mounts: [{ host: dir, sandbox: '/obj' }],
      // A 1M-instruction program prints ~40 MB; the compile output cap is for clang's messages.
      limits: { ...limits, outputBytes: Math.max(limits.outputBytes, 64 * 1024 * 1024) },
    });
    if (exit.code !== 0 || exit.truncated) {
      throw new Error(
        `llvm-objdump could not disassemble the object (${exit.truncated ? 'output too large' : `exit ${exit.code ?? exit.signal}`}): ${exit.stderr.trim()}`,
      );
    }
    return exit.stdout;
  } finally {
    await removeDir(dir);
  }
}

/**
 * Helper ids to names, read from libbpf's bpf_helper_defs.h: `... (*bpf_map_lookup_elem)(...) = (void *) 1;`
 * up to libbpf 1.1, `... (* const bpf_map_lookup_elem)(...)` from 1.2 on.
 */
export async function loadHelperNames(path = `${SYSTEM_BPF_INCLUDE}/bpf_helper_defs.h`): Promise<Map<number, string>> {
  const names = new Map<number, string>();
  const text = await readFile(path, 'utf8').catch(() => '');
  for (const m of text.matchAll(/\(\s*\*\s*(?:const\s+)?(\w+)\s*\)\s*\([^;]*?\)\s*=\s*\(void\s*\*\)\s*(\d+)\s*;/g)) {
    names.set(Number(m[2]), m[1]!);
  }
  return names;
}
