import { createHash, randomBytes, timingSafeEqual } from 'node:crypto';
import type Database from 'better-sqlite3';
import { LearnerActivity, Snippet, type RoomSettings } from '@bpfplay/protocol';

/** The code the instructor pushed last: a learner who joins afterwards starts from it. */
export interface PushedCode {
  snippet: Snippet;
  label: string;
  lesson?: string;
  /** ISO 8601: when it was pushed (pages apply each push once). */
  at: string;
}

export interface StoredRoom {
  id: string;
  name: string;
  /** Upper case: learners type it in any case. */
  joinCode: string;
  createdAt: string;
  expiresAt?: string;
  settings: RoomSettings;
  pushed: PushedCode | null;
}

export interface StoredLearner {
  roomId: string;
  id: string;
  name: string;
  joinedAt: string;
  activity: LearnerActivity;
  /** Lessons passed, in track order. */
  passed: string[];
  code: Snippet | null;
  codeAt: string | null;
}

export interface NewRoom {
  name: string;
  joinCode: string;
  expiresAt?: string;
  lesson?: string;
  nodes?: string[];
}

export type AddLearnerResult = { ok: true; learner: StoredLearner; key: string } | { ok: false; taken: true };

/** `expiresAt`: the instructor ends the room now (it then reads as expired). */
export type RoomPatch = Partial<RoomSettings> & { pushed?: PushedCode | null; expiresAt?: string };
export type LearnerPatch = Partial<Pick<StoredLearner, 'activity' | 'passed' | 'code' | 'codeAt'>>;

/**
 * Workshop rooms and their learners, in the snippet database (migration 2): a web server restart
 * loses no room, learner, progress or code. Secrets are made here and only their hashes kept.
 * Async like SnippetStore, so a store on another database can stand in without changing callers.
 */
export interface RoomStore {
  createRoom(r: NewRoom): Promise<{ room: StoredRoom; instructorKey: string }>;
  room(id: string): Promise<StoredRoom | undefined>;
  updateRoom(id: string, patch: RoomPatch): Promise<void>;
  instructorKeyValid(id: string, key: string): Promise<boolean>;
  /** A new learner, unless the name is taken in the room (compared without case). */
  addLearner(roomId: string, name: string): Promise<AddLearnerResult>;
  learner(roomId: string, id: string): Promise<StoredLearner | undefined>;
  learnerKeyValid(roomId: string, id: string, key: string): Promise<boolean>;
  learners(roomId: string): Promise<StoredLearner[]>;
  updateLearner(roomId: string, id: string, patch: LearnerPatch): Promise<void>;
  /** The room and its learners (names, progress, code) are gone; false: there was no such room. */
  deleteRoom(id: string): Promise<boolean>;
  /** Delete every room that ended (expired) before `iso`, with its learners: the ids deleted. */
  deleteRoomsEndedBefore(iso: string): Promise<string[]>;
}

/** A random URL-safe string: ids (9 bytes → 12 characters) and secrets (24 bytes → 32). */
export function randomToken(bytes: number): string {
  return randomBytes(bytes).toString('base64url');
}

export function hashOf(secret: string): string {
  return createHash('sha256').update(secret).digest('hex');
}

/** Constant-time comparison of a presented secret with a stored hash. */
export function secretMatches(presented: string, storedHash: string): boolean {
  const a = Buffer.from(hashOf(presented), 'hex');
  const b = Buffer.from(storedHash, 'hex');
  return a.length === b.length && timingSafeEqual(a, b);
}

export interface RoomRow {
  id: string;
  name: string;
  join_code: string;
  instructor_hash: string;
  created_at: string;
  expires_at: string | null;
  lesson: string | null;
  solutions: number;
  hint: string | null;
  pushed: string | null;
  nodes: string | null;
}

export interface LearnerRow {
  room_id: string;
  id: string;
  name: string;
  key_hash: string;
  joined_at: string;
  activity: string;
  passed: string;
  code: string | null;
  code_at: string | null;
}

export function roomOf(r: RoomRow): StoredRoom {
  return {
    id: r.id,
    name: r.name,
    joinCode: r.join_code,
    createdAt: r.created_at,
    ...(r.expires_at !== null ? { expiresAt: r.expires_at } : {}),
    settings: { lesson: r.lesson, solutionsUnlocked: r.solutions !== 0, hint: r.hint, nodes: nodesOf(r.nodes) },
    pushed: r.pushed === null ? null : (JSON.parse(r.pushed) as PushedCode),
  };
}

/** Rows are ours, but a file edited by hand must not crash the roster: unreadable JSON reads as a fresh learner. */
export function learnerOf(r: LearnerRow): StoredLearner {
  const activity = LearnerActivity.safeParse(safeJson(r.activity));
  const passed = safeJson(r.passed);
  const code = r.code === null ? null : Snippet.safeParse(safeJson(r.code));
  return {
    roomId: r.room_id,
    id: r.id,
    name: r.name,
    joinedAt: r.joined_at,
    activity: activity.success ? activity.data : { state: 'joined', at: r.joined_at },
    passed: Array.isArray(passed) ? passed.filter((p): p is string => typeof p === 'string') : [],
    code: code?.success ? code.data : null,
    codeAt: r.code_at,
  };
}

/** A hand-edited or unreadable list reads as "every node", never as a crash. */
function nodesOf(raw: string | null): string[] | null {
  const v = raw === null ? null : safeJson(raw);
  return Array.isArray(v) && v.length > 0 && v.every((n) => typeof n === 'string') ? (v as string[]) : null;
}

/**
 * The columns a RoomPatch changes, with their values, as both stores write them (`expiresAt`
 * ends the room; JSON columns are serialised here).
 */
export function roomPatchColumns(patch: RoomPatch): [string, string | number | null][] {
  const cols: [string, string | number | null][] = [];
  if (patch.lesson !== undefined) cols.push(['lesson', patch.lesson]);
  if (patch.solutionsUnlocked !== undefined) cols.push(['solutions', patch.solutionsUnlocked ? 1 : 0]);
  if (patch.hint !== undefined) cols.push(['hint', patch.hint]);
  if (patch.pushed !== undefined) cols.push(['pushed', patch.pushed === null ? null : JSON.stringify(patch.pushed)]);
  if (patch.nodes !== undefined) cols.push(['nodes', patch.nodes === null ? null : JSON.stringify(patch.nodes)]);
  if (patch.expiresAt !== undefined) cols.push(['expires_at', patch.expiresAt]);
  return cols;
}

function safeJson(s: string): unknown {
  try {
    return JSON.parse(s);
  } catch {
    return undefined;
  }
}

/** RoomStore on the snippet store's SQLite connection (SqliteStore.rooms). */
/**
 * A new room as both stores insert it: a fresh id and instructor key (only its hash is kept), the
 * join code in capitals (learners type it either way), the column values in INSERT order
 * (ROOM_INSERT_COLUMNS).
 */
export function newRoomValues(r: NewRoom, now: Date): { id: string; instructorKey: string; values: (string | null)[] } {
  const instructorKey = randomToken(24);
  const id = randomToken(9);
  return {
    id,
    instructorKey,
    values: [
      id,
      r.name,
      r.joinCode.toUpperCase(),
      hashOf(instructorKey),
      now.toISOString(),
      r.expiresAt ?? null,
      r.lesson ?? null,
      r.nodes ? JSON.stringify(r.nodes) : null,
    ],
  };
}

export const ROOM_INSERT_COLUMNS = 'id, name, join_code, instructor_hash, created_at, expires_at, lesson, nodes';

export class SqliteRoomStore implements RoomStore {
  private readonly selectRoom: Database.Statement<[string], RoomRow>;
  private readonly selectLearner: Database.Statement<[string, string], LearnerRow>;
  private readonly selectLearners: Database.Statement<[string], LearnerRow>;

  constructor(
    private readonly db: Database.Database,
    private readonly now: () => Date = () => new Date(),
  ) {
    this.selectRoom = db.prepare('SELECT * FROM rooms WHERE id = ?');
    this.selectLearner = db.prepare('SELECT * FROM room_learners WHERE room_id = ? AND id = ?');
    this.selectLearners = db.prepare('SELECT * FROM room_learners WHERE room_id = ? ORDER BY joined_at, id');
  }

  async createRoom(r: NewRoom): Promise<{ room: StoredRoom; instructorKey: string }> {
    const { id, instructorKey, values } = newRoomValues(r, this.now());
    this.db
      .prepare(`INSERT INTO rooms (${ROOM_INSERT_COLUMNS}) VALUES (${values.map(() => '?').join(', ')})`)
      .run(...values);
    return { room: roomOf(this.selectRoom.get(id)!), instructorKey };
  }

  async room(id: string): Promise<StoredRoom | undefined> {
    const r = this.selectRoom.get(id);
    return r && roomOf(r);
  }

  async updateRoom(id: string, patch: RoomPatch): Promise<void> {
    const cols = roomPatchColumns(patch);
    if (!cols.length) return;
    this.db
      .prepare(`UPDATE rooms SET ${cols.map(([c]) => `${c} = ?`).join(', ')} WHERE id = ?`)
      .run(...cols.map(([, v]) => v), id);
  }

  async deleteRoom(id: string): Promise<boolean> {
    // No foreign-key enforcement on this connection (SQLite's default): learners go first, by hand.
    return this.db.transaction(() => {
      this.db.prepare('DELETE FROM room_learners WHERE room_id = ?').run(id);
      return this.db.prepare('DELETE FROM rooms WHERE id = ?').run(id).changes > 0;
    })();
  }

  async deleteRoomsEndedBefore(iso: string): Promise<string[]> {
    const ids = this.db
      .prepare<[string], { id: string }>('SELECT id FROM rooms WHERE expires_at IS NOT NULL AND expires_at < ?')
      .all(iso)
      .map((r) => r.id);
    for (const id of ids) await this.deleteRoom(id);
    return ids;
  }

  async instructorKeyValid(id: string, key: string): Promise<boolean> {
    const r = this.selectRoom.get(id);
    return r !== undefined && secretMatches(key, r.instructor_hash);
  }

  async addLearner(roomId: string, name: string): Promise<AddLearnerResult> {
    const key = randomToken(24);
    const id = randomToken(9);
    const at = this.now().toISOString();
    try {
      this.db
        .prepare(
          'INSERT INTO room_learners (room_id, id, name, key_hash, joined_at, activity) VALUES (?, ?, ?, ?, ?, ?)',
        )
        .run(roomId, id, name, hashOf(key), at, JSON.stringify({ state: 'joined', at } satisfies LearnerActivity));
    } catch (e) {
      if ((e as { code?: string }).code === 'SQLITE_CONSTRAINT_UNIQUE') return { ok: false, taken: true };
      throw e;
    }
    return { ok: true, learner: learnerOf(this.selectLearner.get(roomId, id)!), key };
  }

  async learner(roomId: string, id: string): Promise<StoredLearner | undefined> {
    const r = this.selectLearner.get(roomId, id);
    return r && learnerOf(r);
  }

  async learnerKeyValid(roomId: string, id: string, key: string): Promise<boolean> {
    const r = this.selectLearner.get(roomId, id);
    return r !== undefined && secretMatches(key, r.key_hash);
  }

  async learners(roomId: string): Promise<StoredLearner[]> {
    return this.selectLearners.all(roomId).map(learnerOf);
  }

  async updateLearner(roomId: string, id: string, patch: LearnerPatch): Promise<void> {
    const sets: string[] = [];
    const values: (string | null)[] = [];
    const set = (col: string, v: string | null) => (sets.push(`${col} = ?`), values.push(v));
    if (patch.activity !== undefined) set('activity', JSON.stringify(patch.activity));
    if (patch.passed !== undefined) set('passed', JSON.stringify(patch.passed));
    if (patch.code !== undefined) set('code', patch.code === null ? null : JSON.stringify(patch.code));
    if (patch.codeAt !== undefined) set('code_at', patch.codeAt);
    if (!sets.length) return;
    this.db
      .prepare(`UPDATE room_learners SET ${sets.join(', ')} WHERE room_id = ? AND id = ?`)
      .run(...values, roomId, id);
  }
}
