import { execFileSync } from 'node:child_process';
import { join } from 'node:path';

/** The agent forks dist/runner.js and the CLI runs dist/cli.js: build them from the current sources. */
export default function setup(): void {
  execFileSync(process.execPath, [join(import.meta.dirname, '../../build.mjs')], { stdio: 'inherit' });
}
