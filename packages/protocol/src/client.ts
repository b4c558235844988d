import { z } from 'zod';
import { RunOptions, Snippet } from './common';
import { CheckMessage, LspCancelMessage, LspChangeMessage, LspOpenMessage, LspRequestMessage } from './lsp';

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

export const PingMessage = z.object({
  type: z.literal('ping'),
  t: z.number().optional(),
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
]);
export type ClientMessage = z.infer<typeof ClientMessage>;
export type RunMessage = z.infer<typeof RunMessage>;
export type StopMessage = z.infer<typeof StopMessage>;
export type BtfUploadMessage = z.infer<typeof BtfUploadMessage>;
