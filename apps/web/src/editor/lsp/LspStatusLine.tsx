'use client';

import type { LspStatus } from './client';

const TEXT: Partial<Record<LspStatus, string>> = {
  starting: 'code analyser starting — completion and live errors in a few seconds',
  stopped: 'code analyser stopped',
  unavailable: 'no code analyser',
};

/**
 * A corner note over the editor while the agent's clangd is not answering: starting, stopped
 * (idle, or given to a more recent session; it starts again at the next edit), unavailable (with
 * the agent's reason). Nothing when it is ready or there is no agent (the page says that already).
 */
export function LspStatusLine({ state, message }: { state: LspStatus; message: string | undefined }) {
  const text = TEXT[state];
  if (!text) return null;
  return (
    <div className={`lsp-status lsp-status-${state}`} data-testid="lsp-status" title={message}>
      {message && state !== 'starting' ? `${text}: ${message}` : text}
    </div>
  );
}
