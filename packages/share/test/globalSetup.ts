import type { TestProject } from 'vitest/node';
import { startPgCluster, type PgClusterInfo } from './fixtures/postgres';

declare module 'vitest' {
  export interface ProvidedContext {
    pg: PgClusterInfo;
  }
}

/**
 * One throwaway PostgreSQL cluster for every test file of this package (the store's tests run
 * against it as well as SQLite): starting one costs seconds, a schema per test milliseconds.
 */
export default function setup(project: TestProject): () => void {
  const t = Date.now();
  const c = startPgCluster();
  console.log(`${c.version}: throwaway cluster in ${c.dir}, initdb + start took ${Date.now() - t} ms`);
  project.provide('pg', { dir: c.dir, user: c.user, password: c.password, version: c.version });
  return () => c.stop();
}
