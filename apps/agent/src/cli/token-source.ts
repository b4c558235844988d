import { readFileSync, statSync } from 'node:fs';

/**
 * Where the CLI takes the agent's token from. A command-line argument is visible to every user of
 * the machine (`ps`, /proc/<pid>/cmdline), so the token is better given as the environment variable
 * BPFPLAY_TOKEN (readable only by the process's own user and root) or in a file (`--token-file`,
 * e.g. one only its owner may read). `--token` still works, with a warning saying why not to.
 */
export const TOKEN_ENV = 'BPFPLAY_TOKEN';

/** The parseArgs options every command that takes a token accepts. */
export const TOKEN_OPTIONS = {
  token: { type: 'string' },
  'token-file': { type: 'string' },
} as const;

export const TOKEN_USAGE = `[--token-file FILE | BPFPLAY_TOKEN=… in the environment | --token T (visible in ps)]`;

export interface TokenSources {
  token?: string | undefined;
  'token-file'?: string | undefined;
}

export class TokenSourceError extends Error {}

/**
 * The token from `--token-file`, else `--token` (warned about), else BPFPLAY_TOKEN; undefined when
 * none is given. Throws TokenSourceError when the file cannot be read or is empty.
 */
export function tokenFrom(
  values: TokenSources,
  env: Record<string, string | undefined> = process.env,
  warn: (message: string) => void = (m) => process.stderr.write(`bpfplay: warning: ${m}\n`),
): string | undefined {
  const file = values['token-file'];
  if (file !== undefined) {
    let text: string;
    try {
      text = readFileSync(file, 'utf8');
    } catch (e) {
      throw new TokenSourceError(`cannot read the token file ${file}: ${(e as Error).message}`);
    }
    const token = text.trim();
    if (!token) throw new TokenSourceError(`the token file ${file} is empty`);
    if ((statSync(file).mode & 0o077) !== 0)
      warn(`${file} can be read by other users (chmod 600 ${file}): whoever reads it holds the agent's token`);
    return token;
  }
  if (values.token !== undefined) {
    warn(
      `--token shows the token to every user of this machine (ps, /proc/<pid>/cmdline); pass it as ${TOKEN_ENV}=… in the environment or with --token-file FILE instead`,
    );
    return values.token;
  }
  const fromEnv = env[TOKEN_ENV]?.trim();
  return fromEnv ? fromEnv : undefined;
}
