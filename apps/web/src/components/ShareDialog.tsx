'use client';

import { useState } from 'react';
import { embedPath, encodeFragment, markdownSnippet, tarFiles, zipFiles, type ShareState } from '@bpfplay/share';
import { WEB_RUN_DEFAULTS } from '../share/shareState';
import type { ShareOutcome } from '../share/shareRequest';
import { copyText, downloadBytes } from '../share/browserActions';
import { Dialog } from './Dialog';

export interface ShareDialogProps {
  open: boolean;
  onClose(): void;
  /** The snippet as it was when Share was pressed. */
  state: ShareState | null;
  /** null while the short link is being made. */
  outcome: ShareOutcome | null;
  forkedFrom: string | null;
  origin: string;
  title: string | null;
}

/** Share: the short link, the link that carries the code itself, Markdown, an iframe, downloads. */
export function ShareDialog(p: ShareDialogProps) {
  return (
    <Dialog open={p.open} title="Share" onClose={p.onClose} testId="share-dialog">
      {p.state && <ShareBody {...p} state={p.state} />}
    </Dialog>
  );
}

function ShareBody({ state, outcome, forkedFrom, origin, title }: ShareDialogProps & { state: ShareState }) {
  const fragmentUrl = `${origin}/${encodeFragment(state, WEB_RUN_DEFAULTS)}`;
  const id = outcome?.ok ? outcome.id : null;
  const shortUrl = outcome?.ok ? `${origin}${outcome.url}` : null;
  const embedCode = id
    ? `<iframe src="${origin}${embedPath(id)}" width="100%" height="460" style="border:1px solid #8884;border-radius:6px" title="bpfplay snippet" loading="lazy"></iframe>`
    : null;
  const markdown = markdownSnippet(state, shortUrl ?? fragmentUrl, title ? { title } : {});
  const folder = `bpfplay-${id ?? 'snippet'}`;
  return (
    <div className="share">
      <section className="field">
        <span>Short link</span>
        {outcome === null && (
          <p className="muted" data-testid="share-pending">
            storing the snippet…
          </p>
        )}
        {outcome && !outcome.ok && (
          <p className="banner banner-error" role="alert" data-testid="share-error">
            {outcome.error}
          </p>
        )}
        {shortUrl && (
          <>
            <CopyRow value={shortUrl} testId="share-short" />
            <small data-testid="share-short-note">
              {outcome?.ok && outcome.created ? 'New link' : 'Already shared: the same code always gets the same link'}
              {forkedFrom && (
                <>
                  {' '}
                  · forked from{' '}
                  <a href={`/s/${forkedFrom}`} target="_blank" rel="noreferrer">
                    /s/{forkedFrom}
                  </a>
                </>
              )}
              . Links never change: editing and sharing again makes a new one.
            </small>
          </>
        )}
      </section>
      <section className="field">
        <span>Link with the code in it</span>
        <CopyRow value={fragmentUrl} testId="share-fragment" />
        <small>
          Needs no server: the whole snippet is in the part after #, which browsers never send (
          {fragmentUrl.length.toLocaleString('en')} characters).
        </small>
      </section>
      <section className="share-actions">
        <CopyButton text={markdown} label="Copy as Markdown" testId="share-markdown" />
        {embedCode && <CopyButton text={embedCode} label="Copy embed (iframe)" testId="share-embed" />}
        <button
          className="btn"
          onClick={() => downloadBytes(tarFiles(state.files, { folder }), `${folder}.tar`, 'application/x-tar')}
          data-testid="share-tar"
        >
          Download .tar
        </button>
        <button
          className="btn"
          onClick={() => downloadBytes(zipFiles(state.files, { folder }), `${folder}.zip`, 'application/zip')}
          data-testid="share-zip"
        >
          Download .zip
        </button>
      </section>
    </div>
  );
}

function CopyRow({ value, testId }: { value: string; testId: string }) {
  return (
    <div className="copy-row">
      <input readOnly value={value} className="mono" data-testid={`${testId}-url`} onFocus={(e) => e.target.select()} />
      <CopyButton text={value} label="Copy" testId={`${testId}-copy`} />
    </div>
  );
}

function CopyButton({ text, label, testId }: { text: string; label: string; testId: string }) {
  const [state, setState] = useState<'idle' | 'copied' | 'failed'>('idle');
  return (
    <button
      className="btn"
      onClick={async () => {
        setState((await copyText(text)) ? 'copied' : 'failed');
        window.setTimeout(() => setState('idle'), 2000);
      }}
      title={state === 'failed' ? 'This browser refused the clipboard: select the text and press Ctrl+C' : undefined}
      data-testid={testId}
      data-state={state}
    >
      {state === 'copied' ? '✓ copied' : state === 'failed' ? 'copy refused' : label}
    </button>
  );
}
