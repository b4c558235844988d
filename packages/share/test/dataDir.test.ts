import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { closeShareApi, getShareApi } from '../src/defaultApi.js';
import { DATA_DIR_ENV, findRepoRoot, resolveDataDir } from '../src/dataDir.js';
import { SNIPPET_DB_FILE } from '../src/store/sqlite.js';
import { existsSync } from 'node:fs';
import { one } from './fixtures/snippets.js';

const tmp = mkdtempSync(join(tmpdir(), 'bpfplay-datadir-'));
afterAll(() => rmSync(tmp, { recursive: true, force: true }));

describe('where the snippet database lives', () => {
  const repo = join(tmp, 'repo');
  mkdirSync(join(repo, 'apps', 'web'), { recursive: true });
  writeFileSync(join(repo, 'package.json'), JSON.stringify({ name: 'r', workspaces: ['apps/*'] }));
  writeFileSync(join(repo, 'apps', 'web', 'package.json'), JSON.stringify({ name: 'web' }));

  it(`is $${DATA_DIR_ENV} when set (relative paths from the working directory)`, () => {
    expect(resolveDataDir({ [DATA_DIR_ENV]: '/srv/bpfplay' }, repo)).toBe('/srv/bpfplay');
    expect(resolveDataDir({ [DATA_DIR_ENV]: 'data' }, join(repo, 'apps', 'web'))).toBe(
      join(repo, 'apps', 'web', 'data'),
    );
  });

  it('is <repo>/var otherwise, found from apps/web (where next start runs)', () => {
    expect(findRepoRoot(join(repo, 'apps', 'web'))).toBe(repo);
    expect(resolveDataDir({}, join(repo, 'apps', 'web'))).toBe(join(repo, 'var'));
  });

  it('getShareApi opens one SQLite store there, shared by every caller in the process', async () => {
    const dir = join(tmp, 'data');
    const env = { [DATA_DIR_ENV]: dir };
    const a = getShareApi(env);
    expect(getShareApi(env)).toBe(a);
    const created = await a.handleCreate(JSON.stringify(one()), 'k');
    expect(created.status).toBe(201);
    expect(existsSync(join(dir, SNIPPET_DB_FILE))).toBe(true);
    await closeShareApi();
    const reopened = getShareApi(env);
    expect(reopened).not.toBe(a);
    expect((await reopened.handleGet((created.json as { id: string }).id)).status).toBe(200);
    await closeShareApi();
  });
});
