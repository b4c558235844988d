import { z } from 'zod';

/**
 * Protocol version carried in `hello`. Bump it when a message changes shape in a way an older peer
 * would misread; adding an optional field does not need a bump.
 */
export const PROTOCOL_VERSION = 1;

/** Limits that both ends know about; the agent may advertise tighter ones in `hello.limits`. */
/**
 * Largest BPF object a run may ship (RunMessage.object): libbpf-tools' biggest objects with BTF
 * are a few hundred kB; 8 MiB leaves room without letting one message fill the agent's memory.
 */
export const MAX_OBJECT_BYTES = 8 * 1024 * 1024;

export const SNIPPET_LIMITS = {
  maxFiles: 16,
  /** Whole snippet, all files: enough for any real libbpf-tools program, small enough to share. */
  maxTotalBytes: 64 * 1024,
  maxFileNameLength: 64,
} as const;

/**
 * File names are flat (no directories): the sandbox mounts the snippet as one folder, and a name
 * that could climb out of it (`../x`, `/etc/x`) must be refused before anything touches disk.
 */
export const FileName = z
  .string()
  .min(1)
  .max(SNIPPET_LIMITS.maxFileNameLength)
  .regex(/^[A-Za-z0-9_][A-Za-z0-9_.+-]*$/, 'file names may use letters, digits, _ . + - and no folders')
  .refine((n) => !n.includes('..'), 'file names may not contain ".."')
  .refine((n) => /\.(c|h)$/.test(n) || /\.(txt|md|json)$/.test(n), 'files must end in .c, .h, .txt, .md or .json');

export const SnippetFile = z.object({
  name: FileName,
  content: z.string(),
});
export type SnippetFile = z.infer<typeof SnippetFile>;

export const Snippet = z
  .object({
    files: z.array(SnippetFile).min(1).max(SNIPPET_LIMITS.maxFiles),
    /** The file clang compiles; defaults to the only `*.bpf.c` (or `*.c`) file. */
    main: FileName.optional(),
  })
  .superRefine((s, ctx) => {
    const names = new Set<string>();
    for (const f of s.files) {
      if (names.has(f.name)) ctx.addIssue({ code: 'custom', message: `duplicate file name ${f.name}` });
      names.add(f.name);
    }
    const total = snippetBytes(s.files);
    if (total > SNIPPET_LIMITS.maxTotalBytes) {
      ctx.addIssue({
        code: 'custom',
        message: `snippet is ${total} bytes; the limit is ${SNIPPET_LIMITS.maxTotalBytes} bytes`,
      });
    }
    if (s.main !== undefined && !names.has(s.main)) {
      ctx.addIssue({ code: 'custom', message: `main file ${s.main} is not among the files` });
    }
    if (s.main === undefined && mainFileOf(s.files) === undefined) {
      ctx.addIssue({ code: 'custom', message: 'no main file: add one .bpf.c file or name it in "main"' });
    }
  });
export type Snippet = z.infer<typeof Snippet>;

/**
 * A snippet's size as every limit counts it (the protocol's maxTotalBytes, the agent's
 * maxSnippetBytes, the share cap, the audit log): UTF-8 bytes of the files' contents, names not counted.
 */
export function snippetBytes(files: readonly { content: string }[]): number {
  let n = 0;
  for (const f of files) n += utf8Length(f.content);
  return n;
}

/** UTF-8 byte length without Buffer, so the schema runs in the browser too. */
export function utf8Length(s: string): number {
  let n = 0;
  for (let i = 0; i < s.length; i++) {
    const c = s.charCodeAt(i);
    if (c < 0x80) n += 1;
    else if (c < 0x800) n += 2;
    else if (c >= 0xd800 && c <= 0xdbff && i + 1 < s.length) {
      n += 4;
      i++;
    } else n += 3;
  }
  return n;
}

/** The file to compile: explicit `main`, else the only `.bpf.c`, else the only `.c`. */
export function mainFileOf(files: readonly { name: string }[], main?: string): string | undefined {
  if (main !== undefined) return main;
  const bpf = files.filter((f) => f.name.endsWith('.bpf.c'));
  if (bpf.length === 1) return bpf[0]!.name;
  const c = files.filter((f) => f.name.endsWith('.c'));
  if (c.length === 1) return c[0]!.name;
  return undefined;
}

/**
 * Where a run happens, by name: `host` (the agent's own kernel), or a kernel of the matrix such as
 * `6.1` (a microVM booted with Debian's 6.1 cloud kernel). The names a agent offers are in
 * `hello.capabilities.runTargets`; frames of a run carry their target in `target`.
 */
export const HOST_TARGET = 'host';
export const TargetName = z
  .string()
  .min(1)
  .max(32)
  .regex(/^[A-Za-z0-9._-]+$/, 'target names use letters, digits, . _ and -');
export type TargetName = z.infer<typeof TargetName>;

/** A value for a `const volatile` global (a .rodata knob such as `targ_pid`). */
export const ParamValue = z.union([z.number(), z.string(), z.boolean()]);
export type ParamValue = z.infer<typeof ParamValue>;

/**
 * What the agent uses for a RunOptions field a client leaves out, and what clients offer as the
 * default: one value for the CLI, the web app and the agent. 99 Hz, not 100: a rate that does not
 * beat with the kernel's own 100/250/1000 Hz timers (`perf record -F 99`'s habit). Shared links
 * leave defaults out, so changing one changes what old links run with.
 */
export const RUN_DEFAULTS = Object.freeze({
  perfFrequency: 99,
  mapIntervalMs: 1000,
  packetsPerSec: 20,
});

/**
 * Close codes the agent (and the web server's room sockets) end a WebSocket with when they refuse
 * the session (4000-4999 are the application's): the web app turns them into banners, and
 * retrying cannot fix any of them but `tooMany`.
 */
export const CLOSE_CODES = Object.freeze({
  /** Missing or wrong token (or a room's key or join code). */
  unauthorized: 4401,
  /** The page's Origin is not allowed (--allow-origin). */
  forbiddenOrigin: 4403,
  /** No such room, learner or node (the web server's room sockets). */
  notFound: 4404,
  /** The room has passed its expiry. */
  roomEnded: 4410,
  /** A session quota (per token, or in total). */
  tooMany: 4429,
});

/**
 * The packet lab (RunOptions.mode 'test-run'): the largest packet a run may carry (a jumbo frame),
 * and the most repetitions BPF_PROG_TEST_RUN is asked for (the kernel loops without a time limit
 * of its own; a million runs of a parser take well under a second here).
 */
export const PACKET_LAB_LIMITS = Object.freeze({ maxPacketBytes: 9216, maxRepeat: 1_000_000 });

/** The packet a test run gives the program, as hex (packet/build.ts makes it), and how many times. */
export const TestPacket = z.object({
  hex: z
    .string()
    .min(2)
    .max(2 * PACKET_LAB_LIMITS.maxPacketBytes)
    .regex(/^([0-9a-f]{2})+$/, 'a packet is lower-case hex, two digits a byte'),
  repeat: z.number().int().min(1).max(PACKET_LAB_LIMITS.maxRepeat).optional(),
});
export type TestPacket = z.infer<typeof TestPacket>;

export const RunOptions = z.object({
  /** Seconds until the agent stops the run by itself; the agent caps it at `limits.maxRunSeconds`. */
  durationSec: z
    .number()
    .positive()
    .max(24 * 3600)
    .optional(),
  /** Initial values of `const volatile` globals, by name. */
  params: z.record(z.string(), ParamValue).optional(),
  /** Sampling frequency for `SEC("perf_event")` programs (software cpu-clock), in Hz; default RUN_DEFAULTS. */
  perfFrequency: z.number().int().min(1).max(10_000).optional(),
  /** XDP/tc/socket runs: packets per second the agent sends through the run's sandbox veth; default RUN_DEFAULTS. */
  packetsPerSec: z.number().int().min(0).max(100_000).optional(),
  /**
   * How ring and perf buffer records travel; there are two forms, one per need:
   * `json` (default): `events` frames with one object per record (`{ t, cpu?, value }`), values
   * decoded by the agent: what `--json` prints and scripts read.
   * `binary`: the records' raw bytes in binary WebSocket messages (binary-events.ts), decoded by
   * the client with the `layout` of the source's `schema` frame (decode/layout.ts); several times
   * cheaper per record for agent and client alike: what the browser takes. printk and every other
   * frame stay JSON either way.
   */
  eventFormat: z.enum(['json', 'binary']).optional(),
  /** Milliseconds between map snapshots; default RUN_DEFAULTS. */
  mapIntervalMs: z.number().int().min(100).max(60_000).optional(),
  /**
   * `compile` stops after compiling, policy and CO-RE analysis: nothing is loaded. `export` does the
   * same and then sends the snippet as a standalone libbpf project (`project` frame); `params` become
   * its loader's defaults. `test-run`: see `packet`.
   */
  mode: z.enum(['run', 'compile', 'export', 'test-run']).optional(),
  /**
   * `test-run`: load the object and run each XDP, tc and socket filter program on this packet with
   * BPF_PROG_TEST_RUN (nothing attached, no interface made); one `test-run` frame per program.
   */
  packet: TestPacket.optional(),
  /**
   * The `compiled` frame carries the object (base64), for a fan-out run that compiles once and
   * ships the object to the other nodes (RunMessage.object); their CO-RE relocation is their own.
   */
  returnObject: z.boolean().optional(),
  /** Names of BTF files (from `hello.capabilities.coreTargets` or uploaded) to check CO-RE relocations against. */
  coreTargets: z.array(z.string().min(1).max(128)).max(8).optional(),
  /**
   * Where to run the one compiled object: `host` and/or kernels of the matrix, side by side (each
   * its own stream of frames, labelled with `target`). Default: `host` alone, or on an agent started
   * with `--isolate`, its newest kernel (the last of `hello.capabilities.runTargets`): the one with
   * the most of what tutorials use (kprobes, fentry, LSM, the newest helpers) and the closest to a
   * current host, so a run that names no target behaves most like a host run would.
   */
  targets: z
    .array(TargetName)
    .min(1)
    .max(8)
    .refine((t) => new Set(t).size === t.length, 'each target at most once')
    .optional(),
});
export type RunOptions = z.infer<typeof RunOptions>;

export const Severity = z.enum(['error', 'warning', 'note', 'remark', 'fatal']);
export type Severity = z.infer<typeof Severity>;

/** Where something is in the user's snippet. `line` and `col` are 1-based, as editors count. */
export const SourceLocation = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  col: z.number().int().nonnegative().optional(),
});
export type SourceLocation = z.infer<typeof SourceLocation>;

export const Diagnostic = z.object({
  file: z.string(),
  line: z.number().int().nonnegative(),
  col: z.number().int().nonnegative(),
  severity: Severity,
  message: z.string(),
  /** The `-W...` flag or clang category, when clang names one. */
  option: z.string().optional(),
});
export type Diagnostic = z.infer<typeof Diagnostic>;

/**
 * A decoded BTF value as JSON. Integers that do not fit a double exactly are decimal strings;
 * char arrays are strings; pointers are `0x...` strings; a value that could not be decoded is
 * `{ $hex, $error }` so the user still sees the bytes.
 */
export type Value = null | boolean | number | string | Value[] | { [k: string]: Value };
export const Value: z.ZodType<Value> = z.lazy(() =>
  z.union([z.null(), z.boolean(), z.number(), z.string(), z.array(Value), z.record(z.string(), Value)]),
);
