import { z } from 'zod';
import { MAX_OBJECT_BYTES, RunOptions, Snippet } from './common';
import { CheckMessage, LspCancelMessage, LspChangeMessage, LspOpenMessage, LspRequestMessage } from './lsp';
import { LessonId } from './lessons';

/** Client-chosen id of a run: lets the client match output to the Run press that caused it. */
export const RunId = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9_-]+$/, 'run ids use letters, digits, _ and -');

export const RunMessage = z.object({
  type: z.literal('run'),
  runId: RunId,
  snippet: Snippet,
  options: RunOptions.optional(),
  /**
   * The object another agent compiled from this snippet (its `compiled.object` with
   * `returnObject`), base64: the agent skips clang and judges, relocates and loads this object as
   * if it had compiled it. Only agents started with --accept-objects take it
   * (`hello.capabilities.prebuiltObjects`); the snippet still names the files for messages.
   */
  object: z
    .string()
    .max(Math.ceil(MAX_OBJECT_BYTES / 3) * 4)
    .optional(),
});

export const StopMessage = z.object({
  type: z.literal('stop'),
  runId: RunId,
});

/** Upload a BTF file (e.g. another kernel's /sys/kernel/btf/vmlinux) to check CO-RE relocations against. */
export const BtfUploadMessage = z.object({
  type: z.literal('btf-upload'),
  name: z
    .string()
    .min(1)
    .max(128)
    .regex(/^[A-Za-z0-9_.+-]+$/),
  /** base64 of the raw BTF (or an ELF file holding a .BTF section). */
  data: z.string().max(64 * 1024 * 1024),
});

/**
 * Check a lesson (not `check`, which compiles as the learner types): the agent runs the snippet through the same pipeline as `run`, plants fresh
 * values, runs the lesson's own trigger (never one from the client) and answers with `verdict`
 * after the run's `stopped`. Only how records travel is the client's choice; the lesson sets the rest.
 */
export const LessonCheckMessage = z.object({
  type: z.literal('lesson-check'),
  runId: RunId,
  lesson: LessonId,
  snippet: Snippet,
  options: RunOptions.pick({ eventFormat: true }).optional(),
});

export const PingMessage = z.object({
  type: z.literal('ping'),
  t: z.number().optional(),
});

/**
 * Run a gallery example's own trigger (`trigger` in bpf/<example>/meta.json) on the agent's machine,
 * to make the example's probes fire. Only the example is named: the command is the agent's copy of
 * meta.json, never text from the client (listed in `hello.capabilities.triggers`).
 */
export const TriggerMessage = z.object({
  type: z.literal('trigger'),
  example: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[a-z0-9][a-z0-9_-]*$/, 'example names use lower-case letters, digits, _ and -'),
});

export const ClientMessage = z.discriminatedUnion('type', [
  RunMessage,
  StopMessage,
  BtfUploadMessage,
  PingMessage,
  LspOpenMessage,
  LspChangeMessage,
  LspRequestMessage,
  LspCancelMessage,
  CheckMessage,
  LessonCheckMessage,
  TriggerMessage,
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type RunMessage = z.infer<typeof RunMessage>;
export type LessonCheckMessage = z.infer<typeof LessonCheckMessage>;
export type StopMessage = z.infer<typeof StopMessage>;
export type BtfUploadMessage = z.infer<typeof BtfUploadMessage>;
export type TriggerMessage = z.infer<typeof TriggerMessage>;
