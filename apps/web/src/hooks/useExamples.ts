'use client';

import { useEffect, useState } from 'react';
import type { Example, ExamplesResponse } from '../examples/types';

/**
 * The gallery, served by /api/examples from bpf/ (read on every request: examples are added live).
 * Fetched once `enabled` first becomes true: a page opened from a snippet link starts with the
 * gallery closed and then talks to no server at all.
 */
export function useExamples(enabled = true) {
  const [examples, setExamples] = useState<Example[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  const [wanted, setWanted] = useState(enabled);
  if (enabled && !wanted) setWanted(true);
  useEffect(() => {
    if (!wanted) return;
    let cancelled = false;
    fetch('/api/examples', { cache: 'no-store' })
      .then(async (r) => {
        if (!r.ok) throw new Error(`/api/examples answered ${r.status}`);
        return (await r.json()) as ExamplesResponse;
      })
      .then((body) => {
        if (cancelled) return;
        setExamples(body.examples);
        setError(body.error);
      })
      .catch((e: Error) => !cancelled && setError(`could not load examples: ${e.message}`));
    return () => {
      cancelled = true;
    };
  }, [wanted]);
  return { examples, error };
}
