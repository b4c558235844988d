import type { z } from 'zod';
import { ClientMessage } from './client';
import { ServerMessage } from './server';
import { describeIssues } from './issues';

export * from './common';
export * from './client';
export * from './server';
export * from './examples';
export * from './lessons';
export * from './rooms';
export * from './decode/layout';
export * from './decoding';
export * from './binary-events';
export * from './lsp';
export * from './project';
export * from './packet-lab';
export { describeIssues } from './issues';

/** Largest WebSocket message the agent accepts: a full snippet plus JSON overhead, or a BTF upload. */
export const MAX_CLIENT_MESSAGE_BYTES = 48 * 1024 * 1024;

export type ParseResult<T> =
  | { ok: true; message: T }
  | { ok: false; code: 'bad-json' | 'bad-message'; message: string; runId?: string; type?: string };

function parseWith<T>(schema: z.ZodType<T>, raw: string): ParseResult<T> {
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch (e) {
    return { ok: false, code: 'bad-json', message: `message is not JSON: ${(e as Error).message}` };
  }
  const r = schema.safeParse(data);
  if (r.success) return { ok: true, message: r.data };
  const obj = typeof data === 'object' && data !== null ? (data as Record<string, unknown>) : {};
  const runId = typeof obj.runId === 'string' ? obj.runId : undefined;
  const type = typeof obj.type === 'string' ? obj.type : undefined;
  const prefix = type === undefined ? 'message has no "type"' : `bad "${type}" message`;
  return {
    ok: false,
    code: 'bad-message',
    message: `${prefix}: ${describeIssues(r.error)}`,
    ...(runId !== undefined ? { runId } : {}),
    ...(type !== undefined ? { type } : {}),
  };
}

export function parseClientMessage(raw: string): ParseResult<ClientMessage> {
  return parseWith(ClientMessage, raw);
}

export function parseServerMessage(raw: string): ParseResult<ServerMessage> {
  return parseWith(ServerMessage, raw);
}
export { NodeName } from './frame';
