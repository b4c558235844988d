import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { expect } from 'vitest';

const GOLDEN = new URL('../golden/', import.meta.url).pathname;

/** Compares `value` with test/golden/<name>.json; UPDATE_GOLDEN=1 rewrites the file instead. */
export function expectGolden(name: string, value: unknown): void {
  const file = `${GOLDEN}${name}.json`;
  const text = `${JSON.stringify(value, null, 2)}\n`;
  if (process.env.UPDATE_GOLDEN === '1') {
    writeFileSync(file, text);
    return;
  }
  if (!existsSync(file))
    throw new Error(`golden file ${file} is missing; run the tests once with UPDATE_GOLDEN=1 and review it`);
  expect(JSON.parse(text), `output differs from ${file} (UPDATE_GOLDEN=1 rewrites it after review)`).toEqual(
    JSON.parse(readFileSync(file, 'utf8')),
  );
}
