import { parseServerMessage } from '@bpfplay/protocol';

// Validates agent frames off the page's thread; see frameParser.ts for why. (Typed by hand: the
// webworker lib cannot be mixed with the DOM lib in one tsconfig.)
const scope = self as unknown as { onmessage: ((e: { data: string }) => void) | null; postMessage(m: unknown): void };
scope.onmessage = (e) => {
  const r = parseServerMessage(e.data);
  // A verdict, not the parsed object: see FrameVerdict.
  scope.postMessage(r.ok ? { ok: true } : r);
};
