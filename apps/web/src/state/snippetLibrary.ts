import { z } from 'zod';
import type { KeyValueStore } from './kvStore';
import type { EditorFile, Workspace } from './workspace';

/**
 * The learner's own snippets, kept in this browser: every snippet they edited, by id, with its
 * earlier versions. The workspace (workspace.ts) holds the one being edited; this holds all of
 * them, so New, a gallery example or another snippet never throws work away — it stays here.
 *
 * Stored under its own key and versioned like the workspace: `migrateLibrary` reads every version
 * this code ever wrote (and, before there was a library, makes one from the saved workspace), and
 * never overwrites data it cannot read (it is moved aside, and the user told).
 */
export const LIBRARY_KEY = 'bpfplay:snippets';
export const LIBRARY_VERSION = 1;
export const UNREADABLE_LIBRARY_KEY = `${LIBRARY_KEY}:unreadable`;

/** Kept per snippet, oldest dropped first. */
export const MAX_VERSIONS = 20;
/** Snippets kept; the least recently edited go first. */
export const MAX_SNIPPETS = 50;
/** While typing, a new version is kept at most this often (plus one each time the user leaves it). */
export const VERSION_EVERY_MS = 2 * 60_000;

const File = z.object({ name: z.string().min(1), content: z.string() });

const Version = z.object({ at: z.number(), files: z.array(File).min(1) });
export type SnippetVersion = z.infer<typeof Version>;

const Entry = z.object({
  id: z.string().min(1),
  title: z.string(),
  createdAt: z.number(),
  updatedAt: z.number(),
  files: z.array(File).min(1),
  main: z.string().optional(),
  example: z.string().optional(),
  /** Earlier states, oldest first; the newest is usually the same as `files`. */
  versions: z.array(Version),
});
export type LibraryEntry = z.infer<typeof Entry>;

export const LibraryV1 = z.object({ version: z.literal(1), entries: z.array(Entry) });
export type Library = z.infer<typeof LibraryV1>;

export type IdentifiedSnippet = Workspace['snippet'] & { id: string };

export const EMPTY_LIBRARY: Library = { version: LIBRARY_VERSION, entries: [] };

export type LibraryLoad =
  | { kind: 'loaded'; library: Library; migratedFrom: 'workspace' | null }
  /** Unreadable or from a newer bpfplay: an empty library is used and the raw text kept aside. */
  | { kind: 'unreadable'; library: Library; reason: string };

/**
 * The saved library, or — the first time, when there is none — one holding the snippet the
 * workspace saved, if it was edited (a user upgrading keeps their code in the list).
 */
export function migrateLibrary(
  raw: string | null,
  workspaceSnippet: IdentifiedSnippet | null,
  now: number,
): LibraryLoad {
  if (raw === null || raw === '') {
    if (!workspaceSnippet || !isEdited(workspaceSnippet, null))
      return { kind: 'loaded', library: EMPTY_LIBRARY, migratedFrom: null };
    return {
      kind: 'loaded',
      library: record(EMPTY_LIBRARY, workspaceSnippet, now, { checkpoint: true }),
      migratedFrom: 'workspace',
    };
  }
  let data: unknown;
  try {
    data = JSON.parse(raw);
  } catch {
    return { kind: 'unreadable', library: EMPTY_LIBRARY, reason: 'the saved snippet list is not JSON' };
  }
  const version = typeof data === 'object' && data !== null ? (data as { version?: unknown }).version : undefined;
  if (typeof version !== 'number')
    return { kind: 'unreadable', library: EMPTY_LIBRARY, reason: 'the saved snippet list has no version' };
  if (version > LIBRARY_VERSION)
    return {
      kind: 'unreadable',
      library: EMPTY_LIBRARY,
      reason: `the saved snippet list is version ${version}, written by a newer bpfplay than this one (${LIBRARY_VERSION})`,
    };
  const r = LibraryV1.safeParse(data);
  if (!r.success) {
    const issue = r.error.issues[0];
    return {
      kind: 'unreadable',
      library: EMPTY_LIBRARY,
      reason: `the saved snippet list is damaged at ${issue?.path.join('.') ?? '?'}: ${issue?.message ?? ''}`,
    };
  }
  return { kind: 'loaded', library: r.data, migratedFrom: null };
}

export function loadLibrary(
  store: KeyValueStore,
  workspaceSnippet: IdentifiedSnippet | null,
  now: number,
): LibraryLoad {
  const raw = store.get(LIBRARY_KEY);
  const r = migrateLibrary(raw, workspaceSnippet, now);
  if (r.kind === 'unreadable' && raw !== null) store.set(UNREADABLE_LIBRARY_KEY, raw);
  return r;
}

/**
 * Save; when the browser's storage is full, the oldest versions are dropped (never a snippet's
 * current text) until it fits. False: it could not be saved even so.
 */
export function saveLibrary(store: KeyValueStore, lib: Library): boolean {
  let l = lib;
  for (;;) {
    if (store.set(LIBRARY_KEY, JSON.stringify(l))) return true;
    const trimmed = dropOldestVersion(l);
    if (trimmed === null) return false;
    l = trimmed;
  }
}

function dropOldestVersion(lib: Library): Library | null {
  let oldest: { i: number; at: number } | null = null;
  lib.entries.forEach((e, i) => {
    const v = e.versions[0];
    if (v && e.versions.length > 1 && (oldest === null || v.at < oldest.at)) oldest = { i, at: v.at };
  });
  if (oldest === null) return null;
  const { i } = oldest;
  return { ...lib, entries: lib.entries.map((e, j) => (j === i ? { ...e, versions: e.versions.slice(1) } : e)) };
}

const sameFiles = (a: readonly EditorFile[], b: readonly EditorFile[]) =>
  a.length === b.length && a.every((f, i) => f.name === b[i]!.name && f.content === b[i]!.content);

/**
 * Whether the snippet holds the user's own work: its text differs from where it came from (the
 * example's files, or the starter when `pristine` is null and it came from nowhere), or they named it.
 */
export function isEdited(snippet: Workspace['snippet'], pristine: readonly EditorFile[] | null): boolean {
  if (snippet.title !== undefined && snippet.title.trim() !== '') return true;
  if (pristine === null)
    return snippet.example === undefined && snippet.shared === undefined ? !isStarter(snippet) : true;
  return !sameFiles(snippet.files, pristine);
}

let starterFiles: readonly EditorFile[] = [];
/** The page's starter (examples/starter.ts), told once at start so this module stays free of it. */
export function setStarter(files: readonly EditorFile[]): void {
  starterFiles = files;
}
function isStarter(snippet: Workspace['snippet']): boolean {
  return sameFiles(snippet.files, starterFiles);
}

/**
 * The library with `snippet` (which must have an id) saved as its entry. A new version is kept
 * when `checkpoint` (the user leaves the snippet) or when the last one is older than
 * VERSION_EVERY_MS, and only if the text changed since it.
 */
export function record(
  lib: Library,
  snippet: IdentifiedSnippet,
  now: number,
  o: { checkpoint: boolean; title?: string },
): Library {
  const old = lib.entries.find((e) => e.id === snippet.id);
  const last = old?.versions.at(-1);
  const changed = !last || !sameFiles(last.files, snippet.files);
  const due = o.checkpoint || !last || now - last.at >= VERSION_EVERY_MS;
  const versions =
    changed && due
      ? [...(old?.versions ?? []), { at: now, files: snippet.files }].slice(-MAX_VERSIONS)
      : (old?.versions ?? []);
  const entry: LibraryEntry = {
    id: snippet.id,
    title: snippet.title ?? o.title ?? old?.title ?? 'untitled snippet',
    createdAt: old?.createdAt ?? now,
    updatedAt:
      old && sameFiles(old.files, snippet.files) && old.title === (snippet.title ?? o.title ?? old.title)
        ? old.updatedAt
        : now,
    files: snippet.files,
    ...(snippet.main ? { main: snippet.main } : {}),
    ...(snippet.example ? { example: snippet.example } : {}),
    versions,
  };
  const rest = lib.entries.filter((e) => e.id !== snippet.id);
  const entries = [entry, ...rest].sort((a, b) => b.updatedAt - a.updatedAt).slice(0, MAX_SNIPPETS);
  return { ...lib, entries };
}

export function removeEntry(lib: Library, id: string): Library {
  return { ...lib, entries: lib.entries.filter((e) => e.id !== id) };
}

/** The workspace snippet that opening `entry` (or one of its versions) gives. */
export function snippetOf(entry: LibraryEntry, version?: SnippetVersion): Workspace['snippet'] {
  const files = (version ?? entry).files.map((f) => ({ ...f }));
  const main = entry.main && files.some((f) => f.name === entry.main) ? entry.main : undefined;
  return {
    id: entry.id,
    title: entry.title,
    files,
    active: main ?? files[0]!.name,
    ...(main ? { main } : {}),
    ...(entry.example ? { example: entry.example } : {}),
    params: {},
  };
}

/** A fresh id for a snippet (not a secret: it only tells this browser's snippets apart). */
export function newSnippetId(now: number): string {
  return `${now.toString(36)}-${Math.random().toString(36).slice(2, 8)}`;
}
