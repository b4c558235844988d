import { describe, expect, it } from 'vitest';
import LZString from 'lz-string';
import { SNIPPET_LIMITS } from '@bpfplay/protocol';
import {
  DECODERS,
  MAX_FRAGMENT_CHARS,
  V0_FILE_NAME,
  decodeLocation,
  encodeFragment,
  encodeFragmentV0,
  type DecodeResult,
  type ShareState,
} from '../src/index.js';
import { HELLO, one } from './fixtures/snippets.js';

function roundTrip(state: ShareState): ShareState {
  const r = decodeLocation({ hash: encodeFragment(state) });
  if (!r.ok) throw new Error(`did not decode: ${r.error}`);
  return r.state;
}

function expectError(r: DecodeResult, code: string, pattern: RegExp): void {
  expect(r.ok).toBe(false);
  if (r.ok) return;
  expect(r.code).toBe(code);
  expect(r.error).toMatch(pattern);
}

describe('a shared link carries the whole snippet in its fragment', () => {
  it('starts with the format version', () => {
    expect(encodeFragment(one())).toMatch(/^#v1\/[A-Za-z0-9+\-$]+$/);
  });

  it('round-trips unicode in file contents (accents, CJK, emoji, a lone surrogate pair at the end)', () => {
    const content = '// café — 日本語 — 🐝 eBPF\nchar s[] = "Ünïcödé ✓";\n/* 𝔘𝔫𝔦 */ 😀';
    expect(roundTrip(one(content))).toEqual(one(content));
  });

  it('round-trips the maximum number of files, with their order kept', () => {
    const files = Array.from({ length: SNIPPET_LIMITS.maxFiles }, (_, i) => ({
      name: i === 0 ? 'main.bpf.c' : `part${i}.h`,
      content: `#define PART_${i} ${i}\n`.repeat(i + 1),
    }));
    const state: ShareState = { files: [...files].reverse() };
    expect(roundTrip(state).files.map((f) => f.name)).toEqual(state.files.map((f) => f.name));
    expect(roundTrip(state)).toEqual(state);
  });

  it('round-trips empty files (a header not written yet)', () => {
    const state: ShareState = {
      files: [
        { name: 'prog.bpf.c', content: HELLO },
        { name: 'prog.h', content: '' },
        { name: 'notes.md', content: '' },
      ],
    };
    expect(roundTrip(state)).toEqual(state);
  });

  it('round-trips a snippet at the size limit', () => {
    const content = `// ${'x'.repeat(SNIPPET_LIMITS.maxTotalBytes - 4)}\n`;
    const hash = encodeFragment(one(content));
    expect(hash.length).toBeLessThan(MAX_FRAGMENT_CHARS);
    expect(roundTrip(one(content))).toEqual(one(content));
  });

  it('round-trips 64 KiB of incompressible text (random ASCII, random CJK) within the fragment cap', () => {
    let seed = 1;
    const rnd = () => (seed = (seed * 1103515245 + 12345) & 0x7fffffff) / 0x7fffffff;
    const ascii = Array.from({ length: SNIPPET_LIMITS.maxTotalBytes }, () =>
      String.fromCharCode(32 + Math.floor(rnd() * 95)),
    ).join('');
    const cjk = Array.from({ length: SNIPPET_LIMITS.maxTotalBytes / 3 }, () =>
      String.fromCharCode(0x4e00 + Math.floor(rnd() * 20000)),
    ).join('');
    for (const content of [ascii, cjk]) {
      const hash = encodeFragment(one(content));
      console.log(`64 KiB-class random snippet: fragment of ${hash.length} characters (cap ${MAX_FRAGMENT_CHARS})`);
      expect(roundTrip(one(content))).toEqual(one(content));
    }
  });

  it('keeps run options that differ from the defaults, drops the ones that do not', () => {
    const state: ShareState = {
      ...one(),
      options: {
        durationSec: 5,
        params: { targ_pid: 42, verbose: true },
        mode: 'run',
        targets: ['host'],
        coreTargets: [],
      },
    };
    expect(roundTrip(state).options).toEqual({ durationSec: 5, params: { targ_pid: 42, verbose: true } });
    expect(encodeFragment({ ...one(), options: { mode: 'run' } })).toBe(encodeFragment(one()));
  });

  it('drops options equal to the caller’s own defaults (the web app’s settings)', () => {
    const state: ShareState = { ...one(), options: { durationSec: 30, perfFrequency: 99, mapIntervalMs: 250 } };
    const hash = encodeFragment(state, { durationSec: 30, perfFrequency: 99, mapIntervalMs: 1000 });
    const r = decodeLocation({ hash });
    expect(r.ok && r.state.options).toEqual({ mapIntervalMs: 250 });
  });

  it('keeps an explicit main file only when it is not the one that would be inferred', () => {
    const files = [
      { name: 'a.bpf.c', content: HELLO },
      { name: 'b.bpf.c', content: HELLO },
    ];
    expect(roundTrip({ files, main: 'b.bpf.c' }).main).toBe('b.bpf.c');
    expect(encodeFragment({ ...one(), main: 'prog.bpf.c' })).toBe(encodeFragment(one()));
  });

  it('gives equal fragments for equal snippets whatever the key order', () => {
    const a = encodeFragment({
      files: [{ name: 'prog.bpf.c', content: HELLO }],
      options: { durationSec: 5, params: { a: 1, b: 2 } },
    });
    const b = encodeFragment({
      options: { params: { b: 2, a: 1 }, durationSec: 5 },
      files: [{ content: HELLO, name: 'prog.bpf.c' }],
    } as ShareState);
    expect(a).toBe(b);
  });

  it('reads the state from ?share= when a page cannot carry a fragment', () => {
    const frag = encodeFragment(one());
    const r = decodeLocation({ hash: '', search: `?share=${frag.slice(1)}` });
    expect(r.ok && r.state).toEqual(one());
  });

  it('prefers the fragment over the query', () => {
    const r = decodeLocation({
      hash: encodeFragment(one('// a\n')),
      search: `?share=${encodeFragment(one('// b\n')).slice(1)}`,
    });
    expect(r.ok && r.state.files[0]!.content).toBe('// a\n');
  });

  it('survives a chat app percent-encoding the link or turning + into spaces', () => {
    const frag = encodeFragment(one('int x = 1 + 2; // ~~~~ >>> ??? $$$\n'.repeat(20)));
    const payload = frag.slice('#v1/'.length);
    const escaped = decodeLocation({ hash: `#v1/${encodeURIComponent(payload).replace(/\$/g, '%24')}` });
    expect(escaped.ok).toBe(true);
    const spaced = decodeLocation({ hash: `#v1/${payload.replace(/\+/g, ' ')}` });
    expect(spaced.ok).toBe(true);
  });
});

describe('old links keep working', () => {
  // Frozen strings, written once by the encoder of each version. Never regenerate them: they stand
  // for links already pasted into blog posts.
  const V0_LINK =
    '#v0/MQSwdgxgNgrgJgUwAQCIBuBbK4YA8B0AFigFCiSyJIA8ARgA4BmA9A4wPqEJT0IBOAZyIA+EiQDKAUQDCAChQAXeswEBPARACGUKAJXr2CMAv6HcCCGgQoAlCXAKkXHQHtZaFyDhIAVBAW4dgDeJACQbOz0fA4A1vLOUC5IjHwuGEj0XkgApHAoADRIEQDmCArsEDB8fEblmXDsCsVesjZIwsJIAMwATDYA3GE1ClVgSAAMgwC+YhCEmnxIADIAktKSAHJSANoAukhScijYEEYC1m0AvKgA4gAKSyiDQA';
  const V1_LINK =
    '#v1/N4IgZglgNgpgziAXAbVAYwPYDsAuNdIgDEEWaUArgCYwAEAOiAA4BOGA5gHQAWj9WAZQCiAYQAUjHEwD0cNNxhVZ8xQH04Adwg55jAJS1SOWmDEA3DBCq0AVGgPBaLGDgosstAAwBuWgF9+EAAaECwAQwBbGEJWDk4AIyYwTjQQPyD0bDwCRGIaSCw6ADlaAA5AkPComLYubjSAXRCMJhwIbAREUCo3MLbsARhUxABWPz8gA';

  it('v0 (single source, no JSON) still decodes, as prog.bpf.c', () => {
    const r = decodeLocation({ hash: V0_LINK });
    expect(r.ok).toBe(true);
    if (!r.ok) return;
    expect(r.version).toBe('v0');
    expect(r.state.files).toHaveLength(1);
    expect(r.state.files[0]!.name).toBe(V0_FILE_NAME);
    expect(r.state.files[0]!.content).toContain('SEC("tp/syscalls/sys_enter_execve")');
  });

  it('v1 links made before any later format still decode', () => {
    const r = decodeLocation({ hash: V1_LINK });
    expect(r).toMatchObject({ ok: true, version: 'v1' });
    if (!r.ok) return;
    expect(r.state.files.map((f) => f.name)).toEqual(['prog.bpf.c', 'prog.h']);
    expect(r.state.options).toEqual({ durationSec: 5 });
  });

  it('the encoder still writes exactly the frozen v1 link for the same snippet (so ids and links stay stable)', () => {
    expect(encodeFragment(FROZEN_V1_STATE)).toBe(V1_LINK);
  });

  it('the v0 encoder round-trips through the decoder table', () => {
    const r = decodeLocation({ hash: encodeFragmentV0(HELLO) });
    expect(r.ok && r.state).toEqual(one(HELLO, V0_FILE_NAME));
  });

  it('every version has a decoder, in order', () => {
    expect(Object.keys(DECODERS)).toEqual(['v0', 'v1']);
  });
});

const FROZEN_V1_STATE: ShareState = {
  files: [
    { name: 'prog.bpf.c', content: '#include "prog.h"\nSEC("tp/sched/sched_switch") int f(void *c) { return 0; }\n' },
    { name: 'prog.h', content: '#define N 8\n' },
  ],
  options: { durationSec: 5 },
};

describe('a damaged or foreign link gives a message, never a blank page', () => {
  it('no fragment at all is "empty", not an error to show', () => {
    expectError(decodeLocation({ hash: '' }), 'empty', /no snippet/);
    expectError(decodeLocation({ hash: '#', search: '' }), 'empty', /no snippet/);
  });

  it('an ordinary anchor is not mistaken for a snippet', () => {
    expectError(
      decodeLocation({ hash: '#examples' }),
      'unrecognised',
      /"#examples" is not a bpfplay snippet link.*#v1\//,
    );
  });

  it('a format from the future names itself and the ones this build reads', () => {
    expectError(decodeLocation({ hash: '#v9/abc' }), 'unknown-version', /format v9.*reads v0, v1.*newer bpfplay/);
  });

  it('a version with nothing after it', () => {
    expectError(decodeLocation({ hash: '#v1/' }), 'corrupt', /no snippet after "#v1\/"/);
  });

  it('characters that lz-string never writes', () => {
    expectError(decodeLocation({ hash: '#v1/abc<script>' }), 'corrupt', /contains "<".*copy the whole link again/);
  });

  it('a broken %-escape', () => {
    expectError(decodeLocation({ hash: '#v1/abc%E0%A4%A' }), 'corrupt', /broken %-escape/);
  });

  it('random letters that decompress to nothing or to non-JSON', () => {
    for (const junk of ['a', 'abc', 'Zm9vYmFy', 'AAAAAAAAAAAAAAAA', 'N4IgLgngDg', '$$$$']) {
      const r = decodeLocation({ hash: `#v1/${junk}` });
      expect(r.ok, junk).toBe(false);
      if (!r.ok) expect(r.error, junk).toMatch(/damaged/);
    }
  });

  it('a link cut short (a chat app truncated it)', () => {
    const full = encodeFragment({ files: [{ name: 'prog.bpf.c', content: HELLO.repeat(10) }] });
    for (const keep of [0.3, 0.6, 0.9]) {
      const r = decodeLocation({ hash: full.slice(0, Math.floor(full.length * keep)) });
      expect(r.ok).toBe(false);
      if (!r.ok) expect(['corrupt', 'invalid']).toContain(r.code);
    }
  });

  it('valid JSON that is not a snippet names the field at fault', () => {
    const hash = `#v1/${LZString.compressToEncodedURIComponent(JSON.stringify({ files: [{ name: '../../etc/passwd', content: 'x' }] }))}`;
    expectError(decodeLocation({ hash }), 'invalid', /decodes, but not a valid snippet: files\.0\.name/);
    const noFiles = `#v1/${LZString.compressToEncodedURIComponent('[1,2,3]')}`;
    expectError(decodeLocation({ hash: noFiles }), 'invalid', /not a valid snippet/);
  });

  it('a decoded snippet over the size cap is refused with the limit named', () => {
    const big = 'y'.repeat(SNIPPET_LIMITS.maxTotalBytes + 1);
    const hash = `#v1/${LZString.compressToEncodedURIComponent(JSON.stringify({ files: [{ name: 'prog.bpf.c', content: big }] }))}`;
    expectError(decodeLocation({ hash }), 'too-large', /65537 bytes; the limit is 65536 bytes \(64 KiB\)/);
  });

  it('a fragment longer than any bpfplay link is refused before decompressing', () => {
    expectError(
      decodeLocation({ hash: `#v1/${'A'.repeat(MAX_FRAGMENT_CHARS + 1)}` }),
      'too-large',
      /characters; bpfplay links are at most/,
    );
  });
});
