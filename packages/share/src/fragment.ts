import LZString from 'lz-string';
import type { RunOptions } from '@bpfplay/protocol';
import { SNIPPET_LIMITS } from '@bpfplay/protocol';
import { type ShareState, canonicalJson, parseShareState } from './state';

/**
 * A shared snippet lives in the URL fragment as `#v<N>/<payload>`: the fragment never reaches a
 * server, so opening such a link needs none. Every format ever written stays in DECODERS, so a
 * link pasted into a blog years ago still opens.
 */
export const CURRENT_FRAGMENT_VERSION = 'v1';

/** The single-file name a v0 link's source is given; the same name the web app's first workspace used. */
export const V0_FILE_NAME = 'prog.bpf.c';

/**
 * Longest payload we try to decompress. Measured: a 64 KiB snippet of random printable ASCII
 * encodes to 66,325 characters, random CJK to 59,259, so 4x the byte cap leaves a wide margin.
 * lz-string's output can grow quadratically in its input, so a cap keeps a crafted link from
 * freezing the tab.
 */
export const MAX_FRAGMENT_CHARS = SNIPPET_LIMITS.maxTotalBytes * 4 + 1024;

export type DecodeErrorCode = 'empty' | 'unrecognised' | 'unknown-version' | 'corrupt' | 'too-large' | 'invalid';

export type DecodeResult =
  { ok: true; state: ShareState; version: string } | { ok: false; code: DecodeErrorCode; error: string };

type Decoder = (payload: string) => DecodeResult;

const fail = (code: DecodeErrorCode, error: string): DecodeResult => ({ ok: false, code, error });

/** Outside lz-string's URI-safe alphabet: such a character means the link was damaged in transit. */
const LZ_URI_OUTSIDE = /[^A-Za-z0-9+\-$]/;

function decompress(
  payload: string,
  version: string,
): { ok: true; text: string } | { ok: false; result: DecodeResult } {
  // Chat tools and mail clients sometimes percent-encode `$` or `+`, or turn `+` into a space.
  let p = payload;
  if (p.includes('%')) {
    try {
      p = decodeURIComponent(p);
    } catch {
      return {
        ok: false,
        result: fail('corrupt', `the ${version} link is damaged: it has a broken %-escape; copy the whole link again`),
      };
    }
  }
  p = p.replace(/ /g, '+');
  if (p.length === 0)
    return { ok: false, result: fail('corrupt', `the ${version} link has no snippet after "#${version}/"`) };
  if (p.length > MAX_FRAGMENT_CHARS) {
    return {
      ok: false,
      result: fail(
        'too-large',
        `the ${version} link is ${p.length} characters; bpfplay links are at most ${MAX_FRAGMENT_CHARS}`,
      ),
    };
  }
  const bad = LZ_URI_OUTSIDE.exec(p);
  if (bad) {
    return {
      ok: false,
      result: fail(
        'corrupt',
        `the ${version} link is damaged: it contains "${bad[0]}", which bpfplay links never do; copy the whole link again`,
      ),
    };
  }
  let text: string | null;
  try {
    text = LZString.decompressFromEncodedURIComponent(p);
  } catch (e) {
    return {
      ok: false,
      result: fail('corrupt', `the ${version} link is damaged: ${(e as Error).message}; copy the whole link again`),
    };
  }
  if (text === null || text === '') {
    return {
      ok: false,
      result: fail(
        'corrupt',
        `the ${version} link is damaged: it does not decompress (was it cut short?); copy the whole link again`,
      ),
    };
  }
  return { ok: true, text };
}

function validate(data: unknown, version: string): DecodeResult {
  const r = parseShareState(data);
  if (!r.ok) return fail(r.code, `the ${version} link decodes, but ${r.error}`);
  return { ok: true, state: r.state, version };
}

/** v0: the first, single-file form. The payload is the program's source itself, compressed. */
const decodeV0: Decoder = (payload) => {
  const d = decompress(payload, 'v0');
  if (!d.ok) return d.result;
  return validate({ files: [{ name: V0_FILE_NAME, content: d.text }] }, 'v0');
};

/** v1: canonical JSON of the whole state (all files, main, non-default options), compressed. */
const decodeV1: Decoder = (payload) => {
  const d = decompress(payload, 'v1');
  if (!d.ok) return d.result;
  let data: unknown;
  try {
    data = JSON.parse(d.text);
  } catch {
    return fail(
      'corrupt',
      'the v1 link is damaged: its contents are not JSON (was it cut short?); copy the whole link again',
    );
  }
  return validate(data, 'v1');
};

export const DECODERS: Readonly<Record<string, Decoder>> = { v0: decodeV0, v1: decodeV1 };

/** Build the fragment (with its `#`) for a state. Equal states give equal fragments. */
export function encodeFragment(state: ShareState, defaults: Partial<RunOptions> = {}): string {
  return `#${CURRENT_FRAGMENT_VERSION}/${LZString.compressToEncodedURIComponent(canonicalJson(state, defaults))}`;
}

/** The v0 form, kept so tests (and hand-made single-file links) can produce it. */
export function encodeFragmentV0(source: string): string {
  return `#v0/${LZString.compressToEncodedURIComponent(source)}`;
}

/** Query parameter read when a page cannot carry a fragment (some redirectors drop it): `?share=v1/...`. */
export const SHARE_QUERY_PARAM = 'share';

/**
 * Read a shared snippet from a location (`window.location` or a test's plain object). Never throws.
 * `code: 'empty'` means there is simply nothing shared in the URL; every other failure has a message
 * fit to show the user.
 */
export function decodeLocation(location: { hash: string; search?: string }): DecodeResult {
  let raw = location.hash.startsWith('#') ? location.hash.slice(1) : location.hash;
  if (raw === '' && location.search) {
    const q = new URLSearchParams(location.search).get(SHARE_QUERY_PARAM);
    // URLSearchParams already turned `+` into a space; decompress() turns it back.
    if (q) raw = q;
  }
  if (raw === '') return fail('empty', 'the link carries no snippet');
  const m = /^(v\d+)\/(.*)$/s.exec(raw);
  if (!m) {
    const shown = raw.length > 40 ? `${raw.slice(0, 40)}…` : raw;
    return fail(
      'unrecognised',
      `"#${shown}" is not a bpfplay snippet link: those start with #${CURRENT_FRAGMENT_VERSION}/`,
    );
  }
  const version = m[1]!;
  const decoder = DECODERS[version];
  if (!decoder) {
    return fail(
      'unknown-version',
      `this link uses snippet format ${version}, which this bpfplay cannot read (it reads ${Object.keys(DECODERS).join(', ')}): ` +
        'it was probably made by a newer bpfplay',
    );
  }
  return decoder(m[2]!);
}
