import { chmodSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { TokenSourceError, tokenFrom } from '../../src/cli/token-source.js';

function file(text: string, mode: number): string {
  const path = join(mkdtempSync(join(tmpdir(), 'bpfplay-token-')), 'token');
  writeFileSync(path, text);
  chmodSync(path, mode);
  return path;
}

/** tokenFrom with a recorded environment and warnings. */
function take(values: Parameters<typeof tokenFrom>[0], env: Record<string, string> = {}) {
  const warnings: string[] = [];
  const token = tokenFrom(values, env, (m) => warnings.push(m));
  return { token, warnings };
}

describe('where the CLI takes the token from', () => {
  it('reads BPFPLAY_TOKEN from the environment, silently', () => {
    expect(take({}, { BPFPLAY_TOKEN: ' s3cret\n' })).toEqual({ token: 's3cret', warnings: [] });
    expect(take({}, {})).toEqual({ token: undefined, warnings: [] });
  });

  it('reads --token-file (trimmed), and warns when other users may read the file', () => {
    expect(take({ 'token-file': file('from-file\n', 0o600) }, { BPFPLAY_TOKEN: 'env' })).toEqual({
      token: 'from-file',
      warnings: [],
    });
    const open = file('t', 0o644);
    const r = take({ 'token-file': open });
    expect(r.token).toBe('t');
    expect(r.warnings).toEqual([expect.stringMatching(new RegExp(`${open} can be read by other users \\(chmod 600`))]);
  });

  it('refuses a missing or empty token file with its name', () => {
    expect(() => take({ 'token-file': '/nonexistent/token' })).toThrow(TokenSourceError);
    expect(() => take({ 'token-file': '/nonexistent/token' })).toThrow(
      /cannot read the token file \/nonexistent\/token/,
    );
    const empty = file('\n', 0o600);
    expect(() => take({ 'token-file': empty })).toThrow(`the token file ${empty} is empty`);
  });

  it('still takes --token, saying why not to', () => {
    const r = take({ token: 'argv' }, { BPFPLAY_TOKEN: 'env' });
    expect(r.token).toBe('argv');
    expect(r.warnings).toEqual([expect.stringMatching(/--token shows the token to every user .*BPFPLAY_TOKEN/)]);
  });
});
