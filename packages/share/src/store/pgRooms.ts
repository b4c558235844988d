import type pg from 'pg';
import type { LearnerActivity } from '@bpfplay/protocol';
import { migratePostgres, ROOM_PG_MIGRATIONS } from './pgMigrations';
import {
  hashOf,
  learnerOf,
  newRoomValues,
  randomToken,
  roomOf,
  roomPatchColumns,
  ROOM_INSERT_COLUMNS,
  secretMatches,
  type AddLearnerResult,
  type LearnerPatch,
  type LearnerRow,
  type NewRoom,
  type RoomPatch,
  type RoomRow,
  type RoomStore,
  type StoredLearner,
  type StoredRoom,
} from './rooms';

/** PostgreSQL's unique_violation: the name is taken in this room. */
const UNIQUE_VIOLATION = '23505';

/**
 * RoomStore on PostgresStore's pool (PostgresStore.rooms): the same rows as SqliteRoomStore, so
 * every web replica sees every room and learner. Its tables migrate on their own ('rooms' in
 * bpfplay_schema), at the first use.
 */
export class PostgresRoomStore implements RoomStore {
  private ready?: Promise<unknown>;

  constructor(
    private readonly pool: pg.Pool,
    private readonly where: string,
    private readonly explain: (e: Error) => Error,
    private readonly now: () => Date = () => new Date(),
  ) {}

  /** Run a query once the tables exist; failures name the database, never its password. */
  private async q<R extends pg.QueryResultRow>(text: string, values: unknown[]): Promise<R[]> {
    this.ready ??= migratePostgres(this.pool, 'rooms', ROOM_PG_MIGRATIONS, this.where).catch((e: Error) => {
      this.ready = undefined;
      throw e;
    });
    try {
      await this.ready;
      return (await this.pool.query<R>(text, values)).rows;
    } catch (e) {
      throw this.explain(e as Error);
    }
  }

  async createRoom(r: NewRoom): Promise<{ room: StoredRoom; instructorKey: string }> {
    const { instructorKey, values } = newRoomValues(r, this.now());
    const rows = await this.q<RoomRow>(
      `INSERT INTO rooms (${ROOM_INSERT_COLUMNS}) VALUES (${values.map((_, i) => `$${i + 1}`).join(', ')}) RETURNING *`,
      values,
    );
    return { room: roomOf(rows[0]!), instructorKey };
  }

  async room(id: string): Promise<StoredRoom | undefined> {
    const [r] = await this.q<RoomRow>('SELECT * FROM rooms WHERE id = $1', [id]);
    return r && roomOf(r);
  }

  async updateRoom(id: string, patch: RoomPatch): Promise<void> {
    const cols = roomPatchColumns(patch);
    if (!cols.length) return;
    await this.q(
      `UPDATE rooms SET ${cols.map(([c], i) => `${c} = $${i + 1}`).join(', ')} WHERE id = $${cols.length + 1}`,
      [...cols.map(([, v]) => v), id],
    );
  }

  async deleteRoom(id: string): Promise<boolean> {
    // room_learners go with it (ON DELETE CASCADE).
    return (await this.q<{ id: string }>('DELETE FROM rooms WHERE id = $1 RETURNING id', [id])).length > 0;
  }

  async deleteRoomsEndedBefore(iso: string): Promise<string[]> {
    const rows = await this.q<{ id: string }>(
      'DELETE FROM rooms WHERE expires_at IS NOT NULL AND expires_at < $1 RETURNING id',
      [iso],
    );
    return rows.map((r) => r.id);
  }

  async instructorKeyValid(id: string, key: string): Promise<boolean> {
    const [r] = await this.q<RoomRow>('SELECT * FROM rooms WHERE id = $1', [id]);
    return r !== undefined && secretMatches(key, r.instructor_hash);
  }

  async addLearner(roomId: string, name: string): Promise<AddLearnerResult> {
    const key = randomToken(24);
    const at = this.now().toISOString();
    try {
      const [row] = await this.q<LearnerRow>(
        `INSERT INTO room_learners (room_id, id, name, key_hash, joined_at, activity)
         VALUES ($1, $2, $3, $4, $5, $6) RETURNING *`,
        [
          roomId,
          randomToken(9),
          name,
          hashOf(key),
          at,
          JSON.stringify({ state: 'joined', at } satisfies LearnerActivity),
        ],
      );
      return { ok: true, learner: learnerOf(row!), key };
    } catch (e) {
      if ((e as { code?: string }).code === UNIQUE_VIOLATION) return { ok: false, taken: true };
      throw e;
    }
  }

  async learner(roomId: string, id: string): Promise<StoredLearner | undefined> {
    const [r] = await this.q<LearnerRow>('SELECT * FROM room_learners WHERE room_id = $1 AND id = $2', [roomId, id]);
    return r && learnerOf(r);
  }

  async learnerKeyValid(roomId: string, id: string, key: string): Promise<boolean> {
    const [r] = await this.q<LearnerRow>('SELECT * FROM room_learners WHERE room_id = $1 AND id = $2', [roomId, id]);
    return r !== undefined && secretMatches(key, r.key_hash);
  }

  async learners(roomId: string): Promise<StoredLearner[]> {
    const rows = await this.q<LearnerRow>('SELECT * FROM room_learners WHERE room_id = $1 ORDER BY joined_at, id', [
      roomId,
    ]);
    return rows.map(learnerOf);
  }

  async updateLearner(roomId: string, id: string, patch: LearnerPatch): Promise<void> {
    const sets: string[] = [];
    const values: (string | null)[] = [];
    const set = (col: string, v: string | null) => (values.push(v), sets.push(`${col} = $${values.length}`));
    if (patch.activity !== undefined) set('activity', JSON.stringify(patch.activity));
    if (patch.passed !== undefined) set('passed', JSON.stringify(patch.passed));
    if (patch.code !== undefined) set('code', patch.code === null ? null : JSON.stringify(patch.code));
    if (patch.codeAt !== undefined) set('code_at', patch.codeAt);
    if (!sets.length) return;
    const n = values.length;
    await this.q(`UPDATE room_learners SET ${sets.join(', ')} WHERE room_id = $${n + 1} AND id = $${n + 2}`, [
      ...values,
      roomId,
      id,
    ]);
  }
}
