import type { RunOptions, SnippetFile } from '@bpfplay/protocol';
import { encodeFragment } from './fragment';
import type { ShareState } from './state';

/** Path of a stored snippet's page; the web app serves it at app/s/[id]. */
export function shortLinkPath(id: string): string {
  return `/s/${encodeURIComponent(id)}`;
}

/** Path of a stored snippet's compact iframe view; app/embed/[id]. */
export function embedPath(id: string): string {
  return `/embed/${encodeURIComponent(id)}`;
}

function withoutHash(base: string): string {
  const i = base.indexOf('#');
  return i < 0 ? base : base.slice(0, i);
}

/**
 * An "Open in playground" URL for files written elsewhere (a blog post, slides): the playground's
 * address with the whole snippet in the fragment, so no server has to know about it.
 * `base` is the playground's page, e.g. `https://play.example.org/`.
 */
export function playgroundUrl(
  base: string,
  files: readonly SnippetFile[],
  opts: { main?: string; options?: RunOptions } = {},
): string {
  const state: ShareState = { files: files.map((f) => ({ name: f.name, content: f.content })) };
  if (opts.main !== undefined) state.main = opts.main;
  if (opts.options !== undefined) state.options = opts.options;
  return withoutHash(base) + encodeFragment(state);
}

const FENCE_LANG: Record<string, string> = { c: 'c', h: 'c', json: 'json', md: 'markdown', txt: 'text' };

function fenceFor(content: string): string {
  // A fence must be longer than any run of backticks inside the block (CommonMark).
  let longest = 0;
  for (const m of content.matchAll(/`+/g)) longest = Math.max(longest, m[0].length);
  return '`'.repeat(Math.max(3, longest + 1));
}

/**
 * The snippet as Markdown: one fenced block per file (headed by its name when there are several)
 * and a link that opens it in the playground. `url` is a short link or a playgroundUrl().
 */
export function markdownSnippet(
  state: Pick<ShareState, 'files'>,
  url: string,
  opts: { title?: string; linkText?: string } = {},
): string {
  const parts: string[] = [];
  if (opts.title) parts.push(`**${opts.title}**`);
  const several = state.files.length > 1;
  for (const f of state.files) {
    const ext = /\.([A-Za-z0-9]+)$/.exec(f.name)?.[1] ?? '';
    const fence = fenceFor(f.content);
    const body = f.content.endsWith('\n') ? f.content : `${f.content}\n`;
    parts.push(`${several ? `\`${f.name}\`\n\n` : ''}${fence}${FENCE_LANG[ext] ?? ''}\n${body}${fence}`);
  }
  parts.push(`[${opts.linkText ?? 'Open in bpfplay'}](${url.replace(/\)/g, '%29').replace(/ /g, '%20')})`);
  return `${parts.join('\n\n')}\n`;
}
