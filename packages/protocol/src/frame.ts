import { z } from 'zod';

/**
 * Every server frame carries `seq`, increasing by one per frame on a connection, so a client can
 * tell it missed something (it never should on one WebSocket; it matters across reconnects).
 */
export const frame = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ type: z.literal(type), seq: z.number().int().nonnegative(), ...shape });
