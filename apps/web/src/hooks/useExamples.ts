'use client';

import { useEffect, useState } from 'react';
import type { Example, ExamplesResponse } from '../examples/types';

/** The gallery, served by /api/examples from bpf/ (read on every request: examples are added live). */
export function useExamples() {
  const [examples, setExamples] = useState<Example[] | null>(null);
  const [error, setError] = useState<string | null>(null);
  useEffect(() => {
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
  }, []);
  return { examples, error };
}
