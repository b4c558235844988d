import {
  InstructorMessage,
  LearnerMessage,
  CLOSE_CODES,
  ROOM_LIMITS,
  type LearnerActivity,
  type LessonSummary,
  type RoomServerMessage,
  type Snippet,
} from '@bpfplay/protocol';
import type { RoomStore } from '@bpfplay/share/server';
import { lessonContent, lessonSummary, type Lesson } from '@bpfplay/lessons';
import {
  ROOM_CLOSE,
  parse,
  rosterMessage,
  roomInfo,
  send,
  type LiveLearner,
  type LiveRoom,
  type RelayHandle,
  type RoomSocket,
} from './liveRoom';

export { ROOM_CLOSE, roomInfo, type RelayHandle, type RoomSocket } from './liveRoom';

/** setTimeout's longest delay (about 24.8 days); a later expiry is re-armed when the room is next loaded. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/**
 * The live side of rooms: who is connected, what each learner is doing, and the instructor's
 * actions (push a lesson step or a snippet, a hint, unlock solutions, open a learner's code, stop
 * a learner's runs). Everything that must outlive the process goes to the RoomStore as it
 * changes; the live maps are rebuilt from it on the next connection after a restart.
 */
export class RoomHub {
  private readonly rooms = new Map<string, Promise<LiveRoom | undefined>>();

  constructor(
    private readonly store: RoomStore,
    /** The lesson track (re-read by the caller when it changes). */
    private readonly lessons: () => Lesson[],
    private readonly now: () => Date = () => new Date(),
    /** The nodes this web app knows (agents file / Service); undefined: it has one agent. */
    private readonly nodeNames: () => readonly string[] | undefined = () => undefined,
  ) {}

  /** Why a room cannot be scoped to `nodes`, in words; undefined when it can. */
  checkNodes(nodes: readonly string[]): string | undefined {
    const known = this.nodeNames();
    if (!known)
      return 'this web app has one agent: rooms choose nodes only with BPFPLAY_AGENTS_FILE or BPFPLAY_AGENTS_SERVICE';
    const unknown = nodes.filter((n) => !known.includes(n));
    if (unknown.length)
      return `no node named ${unknown.map((n) => `"${n}"`).join(', ')} (the node list shows the names: ${known.join(', ')})`;
    return undefined;
  }

  track(): LessonSummary[] {
    return this.lessons().map(lessonSummary);
  }

  lesson(id: string): Lesson | undefined {
    return this.lessons().find((l) => l.id === id);
  }

  /** The room with its learners, loaded once from the store. */
  private live(roomId: string): Promise<LiveRoom | undefined> {
    let p = this.rooms.get(roomId);
    if (!p) {
      p = (async () => {
        const room = await this.store.room(roomId);
        if (!room) return undefined;
        const learners = new Map<string, LiveLearner>();
        for (const l of await this.store.learners(roomId))
          learners.set(l.id, { stored: l, channels: new Set(), relays: new Set() });
        const r: LiveRoom = { room, learners, instructors: new Set<RoomSocket>(), rosterDue: null, expiry: null };
        this.armExpiry(r);
        return r;
      })();
      p.catch(() => this.rooms.delete(roomId));
      this.rooms.set(roomId, p);
    }
    return p;
  }

  private async learnerOf(roomId: string, learnerId: string): Promise<[LiveRoom, LiveLearner] | undefined> {
    const r = await this.live(roomId);
    if (!r) return undefined;
    let l = r.learners.get(learnerId);
    if (!l) {
      // Joined after the room was loaded (the join endpoint writes to the store).
      const stored = await this.store.learner(roomId, learnerId);
      if (!stored) return undefined;
      l = r.learners.get(learnerId) ?? { stored, channels: new Set(), relays: new Set() };
      r.learners.set(learnerId, l);
    }
    return [r, l];
  }

  async instructor(roomId: string, sock: RoomSocket): Promise<void> {
    const r = await this.live(roomId);
    if (!r) return sock.close(CLOSE_CODES.notFound, 'no such room');
    r.instructors.add(sock);
    sock.onClose(() => r.instructors.delete(sock));
    sock.onMessage((text) => void this.fromInstructor(r, sock, text));
    send(sock, this.roster(r));
  }

  async learnerChannel(roomId: string, learnerId: string, sock: RoomSocket): Promise<void> {
    const found = await this.learnerOf(roomId, learnerId);
    if (!found) return sock.close(CLOSE_CODES.notFound, 'no such learner in this room');
    const [r, l] = found;
    l.channels.add(sock);
    sock.onClose(() => {
      l.channels.delete(sock);
      this.rosterSoon(r);
    });
    sock.onMessage((text) => void this.fromLearner(r, l, sock, text));
    send(sock, this.learnerRoom(r, l));
    if (r.room.pushed) send(sock, { type: 'push', ...r.room.pushed });
    if (r.room.settings.hint) send(sock, { type: 'hint', text: r.room.settings.hint, at: this.now().toISOString() });
    this.rosterSoon(r);
  }

  /** End the room when its expiry comes while learners are in it (joining is refused by the sockets). */
  private armExpiry(r: LiveRoom): void {
    if (r.expiry) clearTimeout(r.expiry);
    r.expiry = null;
    if (r.room.expiresAt === undefined) return;
    const ms = Date.parse(r.room.expiresAt) - this.now().getTime();
    if (ms <= 0 || ms > MAX_TIMER_MS) return;
    r.expiry = setTimeout(() => {
      r.expiry = null;
      this.letLearnersGo(
        r,
        ROOM_CLOSE.ended,
        `this room ended at ${r.room.expiresAt}; your code stays in this browser`,
      );
      this.rosterSoon(r);
    }, ms);
    r.expiry.unref();
  }

  /** Every learner's room channel and agent session closes with `reason` (their runs end with it). */
  private letLearnersGo(r: LiveRoom, code: number, reason: string): void {
    for (const l of r.learners.values()) {
      for (const c of l.channels) c.close(code, reason);
      for (const relay of l.relays) relay.close(code, reason);
    }
  }

  /** Rooms that ended more than ROOM_LIMITS.keepEndedDays ago are deleted with their learners' data. */
  async deleteOldRooms(): Promise<string[]> {
    const before = new Date(this.now().getTime() - ROOM_LIMITS.keepEndedDays * 86_400_000).toISOString();
    const ids = await this.store.deleteRoomsEndedBefore(before);
    for (const id of ids) void this.forget(id);
    return ids;
  }

  private async forget(roomId: string): Promise<void> {
    const p = this.rooms.get(roomId);
    this.rooms.delete(roomId);
    const r = await p?.catch(() => undefined);
    if (r?.expiry) clearTimeout(r.expiry);
    if (r?.rosterDue) clearTimeout(r.rosterDue);
  }

  /** A learner's relayed agent session opened (relay.ts reports through the returned hooks). */
  async learnerAgent(roomId: string, learnerId: string, relay: RelayHandle, node?: string) {
    const found = await this.learnerOf(roomId, learnerId);
    if (!found) return undefined;
    const [r, l] = found;
    l.relays.add(relay);
    if (node !== undefined) l.node = node;
    this.rosterSoon(r);
    return {
      activity: (a: LearnerActivity) => void this.activity(r, l, a),
      code: (s: Snippet) => {
        l.ranFiles = JSON.stringify(s.files);
        void this.code(r, l, s);
      },
      closed: () => {
        l.relays.delete(relay);
        this.rosterSoon(r);
      },
    };
  }

  private async activity(r: LiveRoom, l: LiveLearner, a: LearnerActivity): Promise<void> {
    const patch: { activity: LearnerActivity; passed?: string[] } = { activity: a };
    if (a.state === 'passed' && a.lesson && !l.stored.passed.includes(a.lesson)) {
      const order = this.lessons().map((x) => x.id);
      patch.passed = [...l.stored.passed, a.lesson].sort((x, y) => order.indexOf(x) - order.indexOf(y));
    }
    l.stored = { ...l.stored, ...patch };
    this.rosterSoon(r);
    // The learner's own page learns its progress from the room too (saved in the room, not only locally).
    if (patch.passed) for (const c of l.channels) send(c, this.learnerRoom(r, l));
    await this.store.updateLearner(r.room.id, l.stored.id, patch);
  }

  private async code(r: LiveRoom, l: LiveLearner, snippet: Snippet): Promise<void> {
    const codeAt = this.now().toISOString();
    const hadCode = l.stored.code !== null;
    l.stored = { ...l.stored, code: snippet, codeAt };
    if (!hadCode) this.rosterSoon(r);
    await this.store.updateLearner(r.room.id, l.stored.id, { code: snippet, codeAt });
  }

  private async fromLearner(r: LiveRoom, l: LiveLearner, sock: RoomSocket, text: string): Promise<void> {
    const m = parse(LearnerMessage, text);
    if ('error' in m) return send(sock, { type: 'error', message: m.error });
    switch (m.type) {
      case 'code': {
        await this.code(r, l, m.snippet);
        // The page sends code a moment after each edit; code that was already run is no news (a
        // failure must stay on the roster until the learner changes something).
        const busy = ['queued', 'compiling', 'running'].includes(l.stored.activity.state);
        const unchanged = l.ranFiles === JSON.stringify(m.snippet.files);
        if (!busy && !unchanged && l.stored.activity.state !== 'editing')
          await this.activity(r, l, { state: 'editing', at: this.now().toISOString() });
        return;
      }
      case 'open-lesson': {
        const lesson = this.lesson(m.lesson);
        if (!lesson) return send(sock, { type: 'error', message: `no lesson ${m.lesson}` });
        return send(sock, { type: 'lesson', lesson: lessonContent(lesson, r.room.settings.solutionsUnlocked) });
      }
    }
  }

  private async fromInstructor(r: LiveRoom, sock: RoomSocket, text: string): Promise<void> {
    const m = parse(InstructorMessage, text);
    if ('error' in m) return send(sock, { type: 'error', message: m.error });
    const id = r.room.id;
    if (roomInfo(r.room, this.now()).expired && m.type !== 'view' && m.type !== 'delete')
      return send(sock, {
        type: 'error',
        message: 'this room has ended: only viewing code and deleting the room are left',
      });
    switch (m.type) {
      case 'push-lesson': {
        const lesson = this.lesson(m.lesson);
        if (!lesson) return send(sock, { type: 'error', message: `no lesson ${m.lesson}` });
        const pushed = {
          snippet: { files: lesson.starter, main: lesson.main },
          label: `lesson ${lesson.index}'s starter`,
          lesson: lesson.id,
          at: this.now().toISOString(),
        };
        r.room = { ...r.room, settings: { ...r.room.settings, lesson: lesson.id }, pushed };
        await this.store.updateRoom(id, { lesson: lesson.id, pushed });
        this.toLearners(r, (l) => this.learnerRoom(r, l));
        this.toLearners(r, () => ({ type: 'push', ...pushed }));
        break;
      }
      case 'push-snippet': {
        const pushed = {
          snippet: m.snippet,
          label: m.label ?? "the instructor's snippet",
          at: this.now().toISOString(),
        };
        r.room = { ...r.room, pushed };
        await this.store.updateRoom(id, { pushed });
        this.toLearners(r, () => ({ type: 'push', ...pushed }));
        break;
      }
      case 'hint':
      case 'clear-hint': {
        const hint = m.type === 'hint' ? m.text : null;
        r.room = { ...r.room, settings: { ...r.room.settings, hint } };
        await this.store.updateRoom(id, { hint });
        if (hint !== null) this.toLearners(r, () => ({ type: 'hint', text: hint, at: this.now().toISOString() }));
        this.toLearners(r, (l) => this.learnerRoom(r, l));
        break;
      }
      case 'unlock':
        r.room = { ...r.room, settings: { ...r.room.settings, solutionsUnlocked: m.unlocked } };
        await this.store.updateRoom(id, { solutionsUnlocked: m.unlocked });
        this.toLearners(r, (l) => this.learnerRoom(r, l));
        break;
      case 'view': {
        const l = r.learners.get(m.learner);
        if (!l) return send(sock, { type: 'error', message: 'no such learner in this room' });
        return send(sock, {
          type: 'learner-code',
          learner: l.stored.id,
          name: l.stored.name,
          snippet: l.stored.code,
          at: l.stored.codeAt,
        });
      }
      case 'stop': {
        const l = r.learners.get(m.learner);
        if (!l) return send(sock, { type: 'error', message: 'no such learner in this room' });
        for (const relay of l.relays) relay.stopRuns();
        return;
      }
      case 'set-nodes': {
        const why = m.nodes && this.checkNodes(m.nodes);
        if (why) return send(sock, { type: 'error', message: why });
        const nodes = m.nodes;
        r.room = { ...r.room, settings: { ...r.room.settings, nodes } };
        await this.store.updateRoom(id, { nodes });
        // Learners on a node the room no longer uses reconnect and are placed on one of its nodes.
        for (const l of r.learners.values())
          if (nodes && l.node !== undefined && !nodes.includes(l.node))
            for (const relay of l.relays)
              relay.close(ROOM_CLOSE.moved, `the instructor moved this room to ${nodes.join(', ')}: reconnecting`);
        this.toLearners(r, (l) => this.learnerRoom(r, l));
        break;
      }
      case 'end': {
        const expiresAt = this.now().toISOString();
        r.room = { ...r.room, expiresAt };
        await this.store.updateRoom(id, { expiresAt });
        this.armExpiry(r);
        this.letLearnersGo(r, ROOM_CLOSE.ended, 'the instructor ended this room; your code stays in this browser');
        break;
      }
      case 'delete': {
        await this.store.deleteRoom(id);
        this.letLearnersGo(r, ROOM_CLOSE.deleted, 'the instructor deleted this room');
        for (const s of r.instructors) s.close(ROOM_CLOSE.deleted, 'room deleted with its learners and their code');
        await this.forget(id);
        return;
      }
    }
    this.rosterSoon(r);
  }

  private toLearners(r: LiveRoom, make: (l: LiveLearner) => RoomServerMessage): void {
    for (const l of r.learners.values()) for (const c of l.channels) send(c, make(l));
  }

  private learnerRoom(r: LiveRoom, l: LiveLearner): RoomServerMessage {
    const lesson = r.room.settings.lesson ? this.lesson(r.room.settings.lesson) : undefined;
    const known = this.nodeNames();
    return {
      type: 'room',
      room: roomInfo(r.room, this.now()),
      you: { id: l.stored.id, name: l.stored.name, passed: l.stored.passed },
      settings: r.room.settings,
      lesson: lesson ? lessonContent(lesson, r.room.settings.solutionsUnlocked) : null,
      track: this.track(),
      ...(known ? { nodes: r.room.settings.nodes ?? [...known] } : {}),
    };
  }

  /** Rosters go out at most every ROOM_LIMITS.rosterIntervalMs: 50 learners' changes in one frame. */
  private rosterSoon(r: LiveRoom): void {
    if (r.rosterDue !== null || r.instructors.size === 0) return;
    r.rosterDue = setTimeout(() => {
      r.rosterDue = null;
      const m = this.roster(r);
      for (const s of r.instructors) send(s, m);
    }, ROOM_LIMITS.rosterIntervalMs);
  }

  roster(r: LiveRoom): RoomServerMessage {
    return rosterMessage(r, this.now(), this.track(), this.nodeNames());
  }

  /** Tests: the roster as the instructor would get it now. */
  async rosterOf(roomId: string): Promise<RoomServerMessage | undefined> {
    const r = await this.live(roomId);
    return r && this.roster(r);
  }
}
