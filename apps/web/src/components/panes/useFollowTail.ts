'use client';

import { useCallback, useEffect, useState, type RefObject } from 'react';

/**
 * Keep a log scrolled to its newest line while the user has not scrolled away. Scrolling up pauses
 * following (so a line can be read while thousands arrive); `resume` jumps back to the end.
 */
export function useFollowTail(scroller: RefObject<HTMLDivElement | null>, count: number, version: number, scrollTo: (i: number) => void) {
  const [following, setFollowing] = useState(true);
  useEffect(() => {
    if (following && count > 0) scrollTo(count - 1);
    // eslint-disable-next-line react-hooks/exhaustive-deps
  }, [following, count, version]);
  const onScroll = useCallback(() => {
    const el = scroller.current;
    if (!el) return;
    const atEnd = el.scrollHeight - el.scrollTop - el.clientHeight < 30;
    setFollowing(atEnd);
  }, [scroller]);
  const resume = useCallback(() => {
    setFollowing(true);
    if (count > 0) scrollTo(count - 1);
  }, [count, scrollTo]);
  return { following, resume, onScroll };
}
