import { randomBytes, randomInt } from 'node:crypto';
import type { PlantKind } from '@bpfplay/protocol';

/** Ports the sandbox's background traffic uses (stream/traffic.ts in the agent): never planted. */
const BACKGROUND_PORTS = new Set([53, 80, 443, 8080, 7777]);
const ALPHABET = 'abcdefghijklmnopqrstuvwxyz0123456789';

function token(n: number): string {
  const bytes = randomBytes(n);
  let s = '';
  for (const b of bytes) s += ALPHABET[b % ALPHABET.length];
  return s;
}

/**
 * One fresh value of a kind. Strings use [a-z0-9] only, so they are safe in argv, file names,
 * regular expressions and a comm (≤ 15 bytes); the prefix makes them easy to spot in a trace.
 */
export function plantOne(kind: PlantKind): string | number {
  switch (kind) {
    case 'comm':
      return `bp${token(10)}`;
    case 'file':
      return `bpfplay-${token(10)}`;
    case 'word':
      return `w${token(11)}`;
    case 'port': {
      for (;;) {
        const p = randomInt(20000, 60000);
        if (!BACKGROUND_PORTS.has(p)) return p;
      }
    }
    case 'size': {
      // Somewhere in [2^k, 2^(k+1)) for k in 6..13: a log2 bucket the learner cannot guess.
      const k = randomInt(6, 14);
      return 2 ** k + randomInt(0, 2 ** k);
    }
  }
}

/** Fresh values for every name a check plants. */
export function plantValues(plant: Record<string, PlantKind>): Record<string, string | number> {
  return Object.fromEntries(Object.entries(plant).map(([name, kind]) => [name, plantOne(kind)]));
}
