/** @bpfplay/lessons (Node): reading the lesson track from bpf/lessons and planting a check's values. */
export * from './read';
export * from './plant';

/** Environment variable naming the lessons folder (default: the repository's bpf/lessons). */
export const LESSONS_DIR_ENV = 'BPFPLAY_LESSONS_DIR';
