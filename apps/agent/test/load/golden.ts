/** Shared by the verifier-log tests: where the goldens and the gallery examples live. */
import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import path from 'node:path';

export const goldenDir = fileURLToPath(new URL('./golden/', import.meta.url));
export const repoRoot = fileURLToPath(new URL('../../../../', import.meta.url));
export const captureScript = fileURLToPath(new URL('./capture-logs.sh', import.meta.url));

/** `broken-null-check.log`, `broken-null-check.level7.log`, ... */
export function goldenLogs(): string[] {
  return readdirSync(goldenDir)
    .filter((f) => f.endsWith('.log'))
    .sort();
}

export function readGolden(file: string): string {
  return readFileSync(path.join(goldenDir, file), 'utf8');
}

/** The gallery's broken-on-purpose examples: bpf/broken-<what>/. */
export function brokenExamples(): string[] {
  const bpf = path.join(repoRoot, 'bpf');
  return readdirSync(bpf)
    .filter((d) => d.startsWith('broken-') && existsSync(path.join(bpf, d, 'meta.json')))
    .sort();
}

export function exampleFile(name: string, file: string): string {
  return readFileSync(path.join(repoRoot, 'bpf', name, file), 'utf8');
}
