import { z } from 'zod';
import { TargetName } from './common';

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

/**
 * A frame about one run. `target`: which of the run's targets (RunOptions.targets) the frame is about —
 * set on everything a runner sends (load, verifier, attach, output, per-target status); absent on what
 * belongs to the run as a whole (compile, CO-RE, disassembly, the final `stopped`).
 */
export const runFrame = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  frame(type, { runId: z.string(), target: TargetName.optional(), ...shape });
