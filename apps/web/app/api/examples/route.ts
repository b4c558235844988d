import { NextResponse } from 'next/server';
import { examplesDir, readExamples } from '../../../src/server/examples';
import type { ExamplesResponse } from '../../../src/examples/types';

// Read bpf/ on every request: examples are added while the server runs.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<NextResponse<ExamplesResponse>> {
  const dir = examplesDir();
  const { examples, error } = await readExamples(dir);
  return NextResponse.json({ dir, examples, error }, { headers: { 'cache-control': 'no-store' } });
}
