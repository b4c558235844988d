'use client';

import { useSyncExternalStore } from 'react';
import type { Session } from '../state/session';

/** Re-render with the streams (at most once per animation frame). Only panes that draw streams use it. */
export function useStreamVersion(session: Session): number {
  return useSyncExternalStore(session.subscribe, session.getVersion, () => 0);
}
