import { useMemo } from 'react';
import { mainFile } from '../state/files';
import { markersOf, markStale, type EditorMarker } from '../state/markers';
import { staleFiles, type RunView } from '../state/run';

const NOT_STALE: ReadonlySet<string> = new Set();

export interface RunMarkers {
  fileNames: string[];
  /** The file a run compiles, or why there is none (two candidates, none). */
  main: ReturnType<typeof mainFile>;
  /** The main file's name, else the first file's: where a problem without a file is shown. */
  mainName: string;
  /** Files edited since the run (empty unless `markEdited`). */
  stale: ReadonlySet<string>;
  /** One object per run and files, so it can be a memo's dependency. */
  markers: { onFiles: EditorMarker[]; elsewhere: EditorMarker[] };
}

/**
 * The run's problems placed on the snippet's files, for every page with an editor (the playground,
 * the embed, a room's learner). With `markEdited`, the markers of files edited since the run are
 * flagged stale: their lines may now hold other code.
 */
export function useRunMarkers(
  run: RunView | null,
  files: readonly { name: string; content: string }[],
  main?: string,
  markEdited = false,
): RunMarkers {
  const fileNames = useMemo(() => files.map((f) => f.name), [files]);
  const picked = mainFile(files, main);
  const mainName = 'name' in picked ? picked.name : (fileNames[0] ?? '');
  const stale = useMemo(() => (markEdited ? staleFiles(run, files) : NOT_STALE), [markEdited, run, files]);
  const markers = useMemo(() => {
    if (!run) return { onFiles: [], elsewhere: [] };
    const m = markersOf(run, fileNames, mainName);
    return { onFiles: markStale(m.onFiles, stale), elsewhere: m.elsewhere };
  }, [run, fileNames, mainName, stale]);
  return { fileNames, main: picked, mainName, stale, markers };
}
