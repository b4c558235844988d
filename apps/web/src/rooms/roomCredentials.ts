import { z } from 'zod';
import type { KeyValueStore } from '../state/kvStore';

/**
 * What a browser keeps per room (localStorage, versioned): the learner's credential and name,
 * their code, the lessons they passed and the last push applied; the instructor's key. Progress is
 * kept here and in the room (the server's store), so a learner who lost either still sees it.
 */
const Saved = z.object({
  v: z.literal(1),
  learner: z.object({ id: z.string(), key: z.string(), name: z.string() }).optional(),
  instructorKey: z.string().optional(),
  files: z.array(z.object({ name: z.string(), content: z.string() })).optional(),
  lesson: z.string().optional(),
  passed: z.array(z.string()).default([]),
  pushAt: z.string().optional(),
});
export type SavedRoom = z.infer<typeof Saved>;

const keyOf = (roomId: string) => `bpfplay:room:${roomId}`;

export function loadRoom(kv: KeyValueStore, roomId: string): SavedRoom {
  const raw = kv.get(keyOf(roomId));
  if (raw !== null) {
    try {
      const r = Saved.safeParse(JSON.parse(raw));
      if (r.success) return r.data;
    } catch {
      /* unreadable: start over */
    }
  }
  return { v: 1, passed: [] };
}

export function saveRoom(kv: KeyValueStore, roomId: string, s: SavedRoom): void {
  kv.set(keyOf(roomId), JSON.stringify(s));
}

/** Lessons passed, from this browser and from the room, without repeats, in track order. */
export function mergePassed(local: readonly string[], room: readonly string[]): string[] {
  return [...new Set([...local, ...room])].sort();
}
