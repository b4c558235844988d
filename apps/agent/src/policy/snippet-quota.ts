import type { Snippet } from '@bpfplay/protocol';
import { snippetBytes } from '@bpfplay/protocol';

/**
 * The operator's snippet quotas (limits.ts maxSnippetBytes, maxFiles). The protocol schema already
 * caps every snippet at its own maxima; this is the agent's tighter setting, checked before compile.
 */
export function snippetQuotaError(
  snippet: Snippet,
  limits: { maxSnippetBytes: number; maxFiles: number },
): string | undefined {
  if (snippet.files.length > limits.maxFiles) {
    return `the snippet has ${snippet.files.length} files; this agent allows ${limits.maxFiles} (source quota): merge some headers`;
  }
  const bytes = snippetBytes(snippet.files);
  if (bytes > limits.maxSnippetBytes) {
    return `the snippet is ${bytes} bytes; this agent allows ${limits.maxSnippetBytes} bytes (source quota): shorten it`;
  }
  return undefined;
}
