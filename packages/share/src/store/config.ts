import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { resolveDataDir } from '../dataDir';

/** A PostgreSQL URL (postgres://user@host:port/db); with it, server-side data lives in PostgreSQL instead of SQLite. */
export const DATABASE_URL_ENV = 'BPFPLAY_DATABASE_URL';
/** A file holding that URL (a mounted Kubernetes Secret), so the password is in neither the environment nor a command line. */
export const DATABASE_URL_FILE_ENV = 'BPFPLAY_DATABASE_URL_FILE';

/**
 * Where the web app keeps what must outlive a request (snippets; rooms build on the same choice):
 * SQLite in a data folder by default — nothing to run beside the web app — or PostgreSQL when
 * configured, which several web replicas can share.
 */
export type DatabaseConfig =
  | { kind: 'sqlite'; dataDir: string }
  | {
      kind: 'postgres';
      connectionString: string;
      /** The URL without its password, for messages and logs. */
      redacted: string;
    };

/** The URL with any password replaced by ***: error messages and logs must never carry it. */
export function redactDatabaseUrl(url: string): string {
  return url.replace(/^([a-z]+:\/\/[^:/@?#]*):[^@/?#]*@/i, '$1:***@').replace(/([?&]password=)[^&#]*/gi, '$1***');
}

/**
 * Read the store's configuration from the environment. BPFPLAY_DATABASE_URL_FILE wins over
 * BPFPLAY_DATABASE_URL (a Secret file over a plain variable); a password may also come from
 * PostgreSQL's own PGPASSWORD or PGPASSFILE, which node-postgres reads when the URL has none.
 */
export function databaseConfig(
  env: Record<string, string | undefined> = process.env,
  cwd: string = process.cwd(),
): DatabaseConfig {
  let url = env[DATABASE_URL_ENV]?.trim();
  let from: string = DATABASE_URL_ENV;
  const file = env[DATABASE_URL_FILE_ENV];
  if (file) {
    const path = resolve(cwd, file);
    try {
      url = readFileSync(path, 'utf8').trim();
    } catch (e) {
      throw new Error(
        `${DATABASE_URL_FILE_ENV}=${file}: cannot read the database URL (${(e as NodeJS.ErrnoException).code ?? (e as Error).message}); ` +
          'mount the Secret there or unset the variable to use SQLite',
        { cause: e },
      );
    }
    from = `${DATABASE_URL_FILE_ENV} (${path})`;
  }
  if (!url) return { kind: 'sqlite', dataDir: resolveDataDir(env, cwd) };
  if (!/^postgres(ql)?:\/\//i.test(url)) {
    // Only the scheme is quoted: the rest may hold a password.
    const scheme = /^[a-z][a-z0-9+.-]*:/i.exec(url)?.[0] ?? 'no scheme';
    throw new Error(
      `${from}: the database URL must start with postgres:// or postgresql:// (got ${scheme}); ` +
        'unset it to keep snippets in SQLite under BPFPLAY_DATA_DIR',
    );
  }
  return { kind: 'postgres', connectionString: url, redacted: redactDatabaseUrl(url) };
}
