import { z } from 'zod';
import { ParamValue, SnippetFile } from './common';

/**
 * Lessons: `bpf/lessons/<id>/` holds `lesson.md` (the text; its first `# ` line is the title),
 * `starter/` and `solution/` (the files the learner starts from and the reference answer) and
 * `check.json` (LessonCheck: how the agent judges a learner's program). The id starts with the
 * lesson's position in the track (`01-hello-printk`), so sorting ids gives the track's order.
 */
export const LessonId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[a-z0-9][a-z0-9-]*$/, 'lesson ids use lowercase letters, digits and -');
export type LessonId = z.infer<typeof LessonId>;

/**
 * Values the check plants fresh for every check, so that a program printing a fixed answer cannot
 * pass: a process name (`comm`, ≤ 15 bytes like the kernel's), a file name, a word to type, a UDP
 * port, a write size. Lessons refer to them as `{{name}}` (or `{{name|log2}}`: floor(log2(value))).
 */
export const PlantKind = z.enum(['comm', 'file', 'word', 'port', 'size']);
export type PlantKind = z.infer<typeof PlantKind>;

const PlantName = z.string().regex(/^[a-z][a-z0-9]*$/, 'planted value names are lowercase letters and digits');

/** A field of a record, a map key or a map value: a string compares exactly (after `{{}}`), numbers too. */
export const FieldMatch = z.union([
  z.string(),
  z.number(),
  z.boolean(),
  z.object({ matches: z.string() }).strict(),
  z.object({ atLeast: z.number() }).strict(),
]);
export type FieldMatch = z.infer<typeof FieldMatch>;

/**
 * Something the check does while the learner's program runs. Triggers come from the lesson, never
 * from the learner: the agent runs them, without a shell, as an unprivileged user.
 */
export const LessonTrigger = z
  .object({
    /** argv: an absolute program path and its arguments (`{{name}}` substituted). */
    run: z
      .array(z.string().min(1))
      .min(1)
      .max(32)
      .refine((a) => a[0]!.startsWith('/'), 'run[0] must be an absolute path (no shell, no PATH lookup)'),
    /** Start the program under this process name (comm), e.g. `{{comm}}`. */
    comm: z.string().optional(),
    /** Written to the program's standard input. */
    stdin: z.string().max(4096).optional(),
    /** How many times to run it, one after the other. */
    times: z.number().int().min(1).max(20).optional(),
    /**
     * `running` (default): once the programs are attached. `before`: started before the program is
     * loaded and kept alive until the check ends (an iterator reads what exists when it attaches).
     */
    when: z.enum(['running', 'before']).optional(),
  })
  .strict();
export type LessonTrigger = z.infer<typeof LessonTrigger>;

/** XDP/tc lessons: UDP packets the run's sandbox veth receives besides its background traffic. */
export const LessonPackets = z
  .object({
    proto: z.literal('udp'),
    /** Destination port: a number or `{{port}}`. */
    port: z.union([z.number().int().min(1).max(65535), z.string()]),
    count: z.number().int().min(1).max(100),
  })
  .strict();
export type LessonPackets = z.infer<typeof LessonPackets>;

/** Each expectation may say itself in plain words (`text`, `{{}}` substituted); otherwise one is made. */
const expectation = <T extends z.ZodRawShape>(shape: T) =>
  z.object({ ...shape, text: z.string().max(300).optional() }).strict();

export const Expectation = z.union([
  /** A printk line matches this regular expression. */
  expectation({ printk: z.string() }),
  /** A record (from `source`, any source if absent) has all these fields. */
  expectation({
    event: z.object({ source: z.string().optional(), fields: z.record(z.string(), FieldMatch) }).strict(),
  }),
  /**
   * Map `name` has an entry whose key matches `key` (a scalar key) or `keyFields` (a struct key),
   * and whose value matches `value` (scalar) or `valueFields` (paths like `slots.{{size|log2}}`).
   */
  expectation({
    map: z
      .object({
        name: z.string(),
        key: FieldMatch.optional(),
        keyFields: z.record(z.string(), FieldMatch).optional(),
        value: FieldMatch.optional(),
        valueFields: z.record(z.string(), FieldMatch).optional(),
      })
      .strict(),
  }),
  /** The iterator's text matches this regular expression. */
  expectation({ iter: z.string() }),
  /** The verifier refuses the program with a reason matching `reason` (on `line` of the main file). */
  expectation({ verifier: z.object({ reason: z.string(), line: z.number().int().optional() }).strict() }),
  /** The object has a CO-RE relocation whose access (e.g. `task_struct->real_parent`) matches. */
  expectation({ core: z.object({ access: z.string(), kind: z.string().optional() }).strict() }),
]);
export type Expectation = z.infer<typeof Expectation>;

/** What a lesson needs from the kernel: attach kinds (checked against `hello.capabilities.attach`) and more. */
export const LessonNeeds = z
  .object({
    attach: z.array(z.string()).min(1),
    /** Other features, in words a person can look up: `BPF ring buffer (Linux 5.8)`. */
    features: z.array(z.string()).default([]),
  })
  .strict();
export type LessonNeeds = z.infer<typeof LessonNeeds>;

const PLACEHOLDER = /\{\{\s*([a-z][a-z0-9]*)(?:\|(log2))?\s*\}\}/g;

/** `{{name}}` placeholders a string uses. */
export function placeholdersIn(s: string): string[] {
  return [...s.matchAll(PLACEHOLDER)].map((m) => m[1]!);
}

/** Replace `{{name}}` and `{{name|log2}}` with planted values. */
export function fillPlaceholders(s: string, values: Record<string, string | number>): string {
  return s.replace(PLACEHOLDER, (whole, name: string, filter?: string) => {
    const v = values[name];
    if (v === undefined) return whole;
    if (filter === 'log2') return String(Math.floor(Math.log2(Number(v))));
    return String(v);
  });
}

export const LessonCheck = z
  .object({
    needs: LessonNeeds,
    /** Values planted fresh for every check, by name. */
    plant: z.record(PlantName, PlantKind).default({}),
    trigger: z.array(LessonTrigger).max(4).default([]),
    packets: LessonPackets.optional(),
    /** Seconds the expectations have, counted from when the trigger starts. */
    within: z.number().positive().max(20).default(3),
    /** Values for the program's `const volatile` parameters. */
    params: z.record(z.string(), ParamValue).optional(),
    expect: z.array(Expectation).min(1).max(8),
  })
  .strict()
  .superRefine((c, ctx) => {
    const used = placeholdersIn(JSON.stringify({ trigger: c.trigger, packets: c.packets, expect: c.expect }));
    for (const name of new Set(used)) {
      if (!(name in c.plant))
        ctx.addIssue({ code: 'custom', message: `{{${name}}} is used but not planted: add it to "plant"` });
    }
  });
export type LessonCheck = z.infer<typeof LessonCheck>;

/** A lesson as lists show it. `index` is its 1-based position in the track. */
export const LessonSummary = z.object({
  id: LessonId,
  index: z.number().int().positive(),
  title: z.string(),
  needs: LessonNeeds,
});
export type LessonSummary = z.infer<typeof LessonSummary>;

/** A lesson as the learner's page opens it. `solution` is absent until solutions are unlocked. */
export const LessonContent = LessonSummary.extend({
  markdown: z.string(),
  starter: z.array(SnippetFile).min(1),
  solution: z.array(SnippetFile).optional(),
});
export type LessonContent = z.infer<typeof LessonContent>;

/** One expectation's outcome, in plain words. */
export const ExpectationResult = z.object({
  text: z.string(),
  ok: z.boolean(),
  /** Why not, and what the program did instead. */
  detail: z.string().optional(),
});
export type ExpectationResult = z.infer<typeof ExpectationResult>;
