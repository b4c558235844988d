import { z } from 'zod';
import { Snippet } from './common';
import { NodeName } from './frame';
import { LessonContent, LessonId, LessonSummary } from './lessons';

/*
 * Workshop rooms (issue 13): what the web app's server and the room pages say to each other. A
 * room's learners never hold the agent's token: they hold a room credential (`learnerKey`) and
 * reach the agent through the web server's relay, which opens one agent session per learner.
 * Two WebSockets per learner page: the relayed agent session (the agent protocol, unchanged) and
 * the room channel (these messages). The instructor has the room channel only.
 */

/** Ids the server makes (random, URL-safe): rooms and learners. */
export const RoomId = z.string().regex(/^[A-Za-z0-9_-]{6,32}$/, 'room ids are 6-32 letters, digits, _ or -');
export type RoomId = z.infer<typeof RoomId>;
export const LearnerId = RoomId;
export type LearnerId = z.infer<typeof LearnerId>;

/** What learners type to join; compared without regard to case (people read it off a projector). */
export const JoinCode = z
  .string()
  .trim()
  .min(4, 'a join code has at least 4 characters')
  .max(24)
  .regex(/^[A-Za-z0-9-]+$/, 'join codes use letters, digits and -');

export const DisplayName = z
  .string()
  .trim()
  .min(1, 'type the name others will see')
  .max(40, 'names are at most 40 characters')
  .regex(/^[^\u0000-\u001f<>]+$/, 'names cannot hold control characters or < >');

export const ROOM_LIMITS = Object.freeze({
  /** A workshop is 50 learners (the target); double that leaves room for second tabs and latecomers. */
  maxLearners: 100,
  /** A hint is a sentence or two on a projector, not a document. */
  maxHintChars: 500,
  /** Longest expiry an instructor may set: a two-week course. */
  maxExpiryHours: 24 * 14,
  /** How often the instructor's roster is pushed at most (50 learners typing would otherwise be ~50 frames/s). */
  rosterIntervalMs: 250,
  /** How long a learner's page waits after an edit before it sends the code (the instructor's read-only view). */
  codeDebounceMs: 1500,
  /**
   * An ended room (by its instructor or its expiry) is kept this long — the instructor may still
   * open the roster and learners' code — then deleted with its learners' names, progress and code.
   */
  keepEndedDays: 7,
  /** The most nodes a room may be scoped to (issue 19): a cluster's worth, far above a workshop's. */
  maxRoomNodes: 64,
});

/** The nodes a room runs on (issue 19), named as the node list names them; null or absent: every node. */
export const RoomNodes = z.array(NodeName).min(1, 'choose at least one node').max(ROOM_LIMITS.maxRoomNodes);

export const CreateRoomRequest = z.object({
  name: z.string().trim().min(1, 'give the room a name').max(80),
  /** Chosen by the instructor, or made by the server when absent. */
  joinCode: JoinCode.optional(),
  expiresInHours: z.number().positive().max(ROOM_LIMITS.maxExpiryHours).optional(),
  /** The lesson learners start on. */
  lesson: LessonId.optional(),
  /** Only these nodes serve the room (the web app must know them); absent: every node. */
  nodes: RoomNodes.optional(),
});
export type CreateRoomRequest = z.infer<typeof CreateRoomRequest>;

/** What anyone with the room's address may know about it. */
export const RoomInfo = z.object({
  id: RoomId,
  name: z.string(),
  createdAt: z.string(),
  /** ISO 8601; absent: the room does not expire. */
  expiresAt: z.string().optional(),
  expired: z.boolean(),
});
export type RoomInfo = z.infer<typeof RoomInfo>;

export const CreateRoomResponse = z.object({
  room: RoomInfo,
  joinCode: z.string(),
  /** The instructor's credential: shown once, kept in the instructor link's fragment. */
  instructorKey: z.string(),
});
export type CreateRoomResponse = z.infer<typeof CreateRoomResponse>;

export const JoinRequest = z.object({ code: z.string().trim().min(1).max(24), name: DisplayName });
export type JoinRequest = z.infer<typeof JoinRequest>;

export const JoinResponse = z.object({
  room: RoomInfo,
  learnerId: LearnerId,
  name: z.string(),
  /** The learner's credential for both sockets; kept by the learner's browser. */
  learnerKey: z.string(),
});
export type JoinResponse = z.infer<typeof JoinResponse>;

/** Error body of every room HTTP endpoint. */
export const RoomError = z.object({ error: z.string() });

/**
 * What a learner is doing, as the instructor's roster shows it. Derived by the relay from the
 * learner's own agent frames (never reported by the learner's page): `failed` carries the reason
 * in the agent's words; `passed` and a failed check name the lesson.
 */
export const LearnerState = z.enum([
  'joined',
  'editing',
  'queued',
  'compiling',
  'running',
  'finished',
  'failed',
  'passed',
]);
export type LearnerState = z.infer<typeof LearnerState>;

export const LearnerActivity = z.object({
  state: LearnerState,
  reason: z.string().max(300).optional(),
  lesson: LessonId.optional(),
  /** ISO 8601: when the state last changed. */
  at: z.string(),
});
export type LearnerActivity = z.infer<typeof LearnerActivity>;

export const RosterEntry = z.object({
  id: LearnerId,
  name: z.string(),
  /** The learner's room channel is open now. */
  online: z.boolean(),
  activity: LearnerActivity,
  /** Lessons this learner's checks passed, in track order. */
  passed: z.array(LessonId),
  /** The learner has sent code the instructor can open. */
  hasCode: z.boolean(),
  /** The node the learner's session runs on, when the web app has several agents. */
  node: z.string().optional(),
});
export type RosterEntry = z.infer<typeof RosterEntry>;

/** The room's shared settings, as the instructor set them. */
export const RoomSettings = z.object({
  lesson: LessonId.nullable(),
  solutionsUnlocked: z.boolean(),
  hint: z.string().nullable(),
  /** The nodes that serve this room's learners (placement and runs on nodes); null: every node. */
  nodes: RoomNodes.nullable(),
});
export type RoomSettings = z.infer<typeof RoomSettings>;

const msg = <K extends string, T extends z.ZodRawShape>(type: K, shape: T) =>
  z.object({ type: z.literal(type), ...shape });

/** The snippet a room message carries: the agent's Snippet (same limits). */
const RoomSnippet = Snippet;

// ---- room channel: server → instructor

export const RosterMessage = msg('roster', {
  room: RoomInfo,
  /** For the projector: the instructor reads it out. */
  joinCode: z.string(),
  settings: RoomSettings,
  learners: z.array(RosterEntry),
  /** Counts at the top: learners who passed the current lesson, whose last try failed, who are compiling or running. */
  counts: z.object({
    passed: z.number().int(),
    failed: z.number().int(),
    running: z.number().int(),
    online: z.number().int(),
  }),
  /** The lesson track, for the instructor's lesson picker. */
  track: z.array(LessonSummary),
  /** Every node this web app knows, to choose the room's from; absent: it has one agent. */
  knownNodes: z.array(NodeName).optional(),
});
export const LearnerCodeMessage = msg('learner-code', {
  learner: LearnerId,
  name: z.string(),
  snippet: RoomSnippet.nullable(),
  at: z.string().nullable(),
});

// ---- room channel: server → learner

/** The room as a learner sees it: sent at connect and whenever the instructor changes something. */
export const LearnerRoomMessage = msg('room', {
  room: RoomInfo,
  you: z.object({ id: LearnerId, name: z.string(), passed: z.array(LessonId) }),
  settings: RoomSettings,
  /** The lesson the instructor set (with its solution once unlocked); null: free play. */
  lesson: LessonContent.nullable(),
  track: z.array(LessonSummary),
  /** The nodes serving this room (its choice, or every node); absent: the web app has one agent. */
  nodes: z.array(NodeName).optional(),
});
/** The instructor pushed code (a snippet, or a lesson step's starter): it replaces the learner's. */
export const PushMessage = msg('push', {
  snippet: RoomSnippet,
  /** What it is, in words: "the instructor's snippet", "lesson 3's starter". */
  label: z.string(),
  lesson: LessonId.optional(),
  /** When it was pushed: a page applies each push once (it comes again at every reconnect, for latecomers). */
  at: z.string(),
});
export const HintMessage = msg('hint', { text: z.string(), at: z.string() });
/** A lesson the learner asked for (`open-lesson`). */
export const LessonMessage = msg('lesson', { lesson: LessonContent });

/** Either side: something could not be done, in words. */
export const RoomErrorMessage = msg('error', { message: z.string() });

export const RoomServerMessage = z.discriminatedUnion('type', [
  RosterMessage,
  LearnerCodeMessage,
  LearnerRoomMessage,
  PushMessage,
  HintMessage,
  LessonMessage,
  RoomErrorMessage,
]);
export type RoomServerMessage = z.infer<typeof RoomServerMessage>;
export type RoomServerMessageOf<T extends RoomServerMessage['type']> = Extract<RoomServerMessage, { type: T }>;

// ---- room channel: instructor → server

export const InstructorMessage = z.discriminatedUnion('type', [
  msg('push-lesson', { lesson: LessonId }),
  msg('push-snippet', { snippet: RoomSnippet, label: z.string().max(80).optional() }),
  msg('hint', { text: z.string().trim().min(1).max(ROOM_LIMITS.maxHintChars) }),
  msg('clear-hint', {}),
  msg('unlock', { unlocked: z.boolean() }),
  msg('view', { learner: LearnerId }),
  /** Stop this learner's runs (a runaway loop, a flood on the projector). */
  msg('stop', { learner: LearnerId }),
  /** Only these nodes serve the room from now on (null: every node); learners elsewhere move. */
  msg('set-nodes', { nodes: RoomNodes.nullable() }),
  /** End the room now: learners are told and let go, nobody joins; kept ROOM_LIMITS.keepEndedDays. */
  msg('end', {}),
  /** Delete the room now with its learners' names, progress and code. */
  msg('delete', {}),
]);
export type InstructorMessage = z.infer<typeof InstructorMessage>;

// ---- room channel: learner → server

export const LearnerMessage = z.discriminatedUnion('type', [
  /** The learner's code as it stands (debounced): what the instructor's read-only view opens. */
  msg('code', { snippet: RoomSnippet }),
  msg('open-lesson', { lesson: LessonId }),
]);
export type LearnerMessage = z.infer<typeof LearnerMessage>;
