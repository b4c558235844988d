import { describe, expect, it } from 'vitest';
import { decodeLocation, markdownSnippet, playgroundUrl, shortLinkPath, embedPath } from '../src/index.js';
import { HELLO } from './fixtures/snippets.js';

describe('"Open in playground" links for a blog post', () => {
  const files = [
    { name: 'prog.bpf.c', content: HELLO },
    { name: 'prog.h', content: '#define MAX 16\n' },
  ];

  it('open the same files in the playground, with no server involved', () => {
    const url = new URL(playgroundUrl('https://play.example.org/', files, { options: { durationSec: 10 } }));
    expect(url.origin + url.pathname).toBe('https://play.example.org/');
    const r = decodeLocation(url);
    expect(r.ok && r.state).toEqual({ files, options: { durationSec: 10 } });
  });

  it('replace a fragment already on the base address', () => {
    expect(playgroundUrl('https://play.example.org/#old', files)).toMatch(/^https:\/\/play\.example\.org\/#v1\//);
  });

  it('short link and embed paths', () => {
    expect(shortLinkPath('abcDEF12345')).toBe('/s/abcDEF12345');
    expect(embedPath('abcDEF12345')).toBe('/embed/abcDEF12345');
  });
});

describe('copy as Markdown', () => {
  it('is a C code block and a link for one file', () => {
    const md = markdownSnippet(
      { files: [{ name: 'prog.bpf.c', content: 'int x;' }] },
      'https://p.example/s/abcDEF12345',
    );
    expect(md).toBe('```c\nint x;\n```\n\n[Open in bpfplay](https://p.example/s/abcDEF12345)\n');
  });

  it('names each file when there are several, with a language per extension', () => {
    const md = markdownSnippet(
      {
        files: [
          { name: 'prog.bpf.c', content: 'int x;\n' },
          { name: 'notes.md', content: '# hi\n' },
          { name: 'data.json', content: '{}' },
        ],
      },
      '/s/x',
      { title: 'Count execs', linkText: 'Run it' },
    );
    expect(md).toBe(
      '**Count execs**\n\n`prog.bpf.c`\n\n```c\nint x;\n```\n\n`notes.md`\n\n```markdown\n# hi\n```\n\n`data.json`\n\n```json\n{}\n```\n\n[Run it](/s/x)\n',
    );
  });

  it('uses a fence longer than any backtick run inside the code, so the block is not cut', () => {
    const md = markdownSnippet(
      { files: [{ name: 'notes.md', content: 'use ```c fences``` and ````four````\n' }] },
      '/s/x',
    );
    expect(md.startsWith('`````markdown\n')).toBe(true);
    expect(md).toContain('\n`````\n');
  });

  it('escapes characters that would end the Markdown link target', () => {
    expect(markdownSnippet({ files: [{ name: 'a.c', content: '' }] }, 'https://x/a b(c)')).toContain(
      '(https://x/a%20b(c%29)',
    );
  });
});
