import { z } from 'zod';

/** `bpf/lessons/` holds the lesson track (lessons.ts); every other folder of `bpf/` is a gallery example. */
export const LESSONS_FOLDER = 'lessons';

/** True for the folders of `bpf/` that are gallery examples. */
export function isExampleFolder(name: string): boolean {
  return name !== LESSONS_FOLDER;
}

/**
 * `bpf/<name>/meta.json`: what an example is, and what output proves it works. The gallery shows
 * `title`/`description`; the example test runs the program through the CLI, runs `trigger` while it
 * is attached, and checks every clause of `expect` against the decoded output.
 */
export const ExampleExpect = z.object({
  /** A printk line must match this regular expression. */
  printk: z.string().optional(),
  /**
   * A decoded record from `source` (any source if absent) must have these fields (raw values, as
   * scripts see them in `value`) and, with `shown`, these readable forms (`ret: "^-ENOENT$"`, the
   * record's `shown`); strings are regexes.
   */
  event: z
    .object({
      source: z.string().optional(),
      fields: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
      shown: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    })
    .optional(),
  /** A map must be non-empty in the last snapshot; with `render`, be drawn that way. */
  map: z
    .object({
      name: z.string(),
      minEntries: z.number().int().optional(),
      render: z.enum(['table', 'log2-hist', 'counters', 'globals']).optional(),
      /** log2 histograms: at least this many non-zero buckets. */
      nonZeroBuckets: z.number().int().optional(),
    })
    .optional(),
  /** A stack profile (maps frame `stacks`) of map `name` with at least `minSamples` stacks, one frame matching `frame`. */
  stacks: z
    .object({
      name: z.string(),
      minSamples: z.number().int().optional(),
      /** A regular expression some frame of some sample must match (e.g. a kernel function). */
      frame: z.string().optional(),
    })
    .optional(),
  /** Iterator output must match this regular expression. */
  iter: z.string().optional(),
  /** The run must fail at this stage, with a reason matching `reason` (regex) on `line` of the main file. */
  fails: z
    .object({
      stage: z.enum(['compile', 'policy', 'verifier', 'load', 'attach']),
      reason: z.string(),
      line: z.number().int().optional(),
    })
    .optional(),
});
export type ExampleExpect = z.infer<typeof ExampleExpect>;

/** A packet for a packet-lab check: a preset (packet/build.ts) with fields changed, or `hex:…`. */
export const PacketSpec = z.object({
  packet: z.string(),
  fields: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type PacketSpec = z.infer<typeof PacketSpec>;

/**
 * A packet-lab check of a networking example: `bpfplay test-run` with this packet must give this
 * verdict for `program` (every packet program if absent) and leave exactly the `out` packet
 * (`"same"`: the input, unchanged); with `map`, the run must change at least `minEntries` entries of it.
 */
export const PacketLabCheck = PacketSpec.extend({
  program: z.string().optional(),
  verdict: z.string(),
  out: z.union([z.literal('same'), PacketSpec]).optional(),
  map: z.object({ name: z.string(), minEntries: z.number().int() }).optional(),
  /** Flow dissectors: members of the returned struct bpf_flow_keys and their decoded values (packet/flow-keys.ts), e.g. `"ip_proto": "17 UDP"`. */
  flowKeys: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
});
export type PacketLabCheck = z.infer<typeof PacketLabCheck>;

export const ExampleMeta = z.object({
  title: z.string(),
  description: z.string(),
  /** The attach kinds it uses, for the gallery's filter. */
  kinds: z.array(z.string()),
  /** Gallery order and grouping. */
  category: z.enum(['basics', 'tracing', 'profiling', 'networking', 'core', 'broken']),
  /** Seconds the example test lets it run. */
  duration: z.number().positive().optional(),
  /** Shell command the test runs (with `sh -c`) while the program is attached, to make it fire. */
  trigger: z.string().optional(),
  /**
   * The run target the example test runs it on, when not the host: a kernel of the matrix (e.g.
   * `6.1` for kprobes and fentry, which the reference machine's kernel lacks).
   */
  kernel: z.string().optional(),
  /** Values for `const volatile` parameters. */
  params: z.record(z.string(), z.union([z.number(), z.string(), z.boolean()])).optional(),
  expect: ExampleExpect,
  /**
   * What a kernel of the matrix shows instead of `expect`, where it differs on purpose (the kernel
   * table checks each kernel's column against its own): e.g. 5.10 still calls task_struct's state
   * `state`, so a CO-RE example prints the other branch there.
   */
  expectOn: z.record(z.string(), ExampleExpect).optional(),
  /** Packet lab checks (`bpfplay test-run`), for XDP, tc, socket filter and flow dissector examples; the web app offers the first one's packet. */
  packetLab: z.array(PacketLabCheck).optional(),
});
export type ExampleMeta = z.infer<typeof ExampleMeta>;

/**
 * How one example did on one run target when the kernel table was generated: `ok` it ran and
 * showed what its meta.json promises; `quiet` it ran but that output did not show in its time;
 * `fails` it did not run there (`why` says how: nothing this kernel can attach, the verifier, ...).
 */
export const KernelTableCell = z.object({
  status: z.enum(['ok', 'quiet', 'fails']),
  /** The stop reason and the first line of its message, when not `ok`. */
  why: z.string().optional(),
});
export type KernelTableCell = z.infer<typeof KernelTableCell>;

/**
 * Which gallery example runs on which kernel (bpf/kernel-table.json, written by
 * `npm run -s kernel-table` in bench/ from real runs of every example on every target).
 */
export const KernelTable = z.object({
  /** ISO time of the generating run. */
  generatedAt: z.string(),
  /** The command that wrote it. */
  command: z.string(),
  /** The columns, in order: `host` first, then the kernels of the matrix. */
  targets: z.array(z.object({ name: z.string(), release: z.string() })).min(1),
  rows: z.array(z.object({ example: z.string(), cells: z.record(z.string(), KernelTableCell) })),
});
export type KernelTable = z.infer<typeof KernelTable>;
