import { z } from 'zod';

/**
 * A node of a fan-out run (one agent among many, packages/nodes): frames from a run on several
 * nodes carry the node they came from in `node`, set by whoever merges the streams (the CLI with
 * --agents, the web app's relay), never by an agent.
 */
export const NodeName = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9._:-]+$/, 'node names use letters, digits, . _ : -');

/**
 * Every server frame carries `seq`, increasing by one per frame on a connection, so a client can
 * tell it missed something (it never should on one WebSocket; it matters across reconnects).
 */
export const frame = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ type: z.literal(type), seq: z.number().int().nonnegative(), node: NodeName.optional(), ...shape });
