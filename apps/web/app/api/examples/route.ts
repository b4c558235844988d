import { NextResponse } from 'next/server';
import { examplesDir, readExamples } from '../../../src/server/examples';
import type { ExamplesResponse } from '../../../src/examples/types';

// Read bpf/ on every request: examples are added while the server runs.
export const dynamic = 'force-dynamic';

export async function GET(): Promise<NextResponse<ExamplesResponse>> {
  const { examples, error } = await readExamples(examplesDir());
  return NextResponse.json({ examples, error }, { headers: { 'cache-control': 'no-store' } });
}
