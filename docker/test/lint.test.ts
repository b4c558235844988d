import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse } from 'yaml';
// @ts-expect-error: a plain .mjs script (run by hand and by CI) without type declarations
import { checkDockerfile, dockerfiles } from '../check-dockerfiles.mjs';

/**
 * No Docker engine runs on the development machines, so the images are checked statically by
 * docker/check-dockerfiles.mjs (lint rules, COPY sources, the entry command) and here: the
 * packages, ports, paths and health checks they name are the ones the code really uses.
 */
const root = join(import.meta.dirname, '..', '..');
const docker = join(root, 'docker');
const read = (p: string) => readFileSync(join(docker, p), 'utf8');

const tmp = mkdtempSync(join(tmpdir(), 'bpfplay-dockerfile-'));
const check = (text: string) => {
  const f = join(tmp, 'Dockerfile.test');
  writeFileSync(f, text);
  return checkDockerfile(f, root).problems;
};

describe('node docker/check-dockerfiles.mjs', () => {
  for (const file of dockerfiles(root)) {
    it(`passes ${file.slice(root.length + 1)}: pinned bases, COPY sources exist, the entry command exists`, () => {
      expect(checkDockerfile(file, root).problems).toEqual([]);
    });
  }
  it('finds what would break a build or an image', () => {
    const problems = check(
      [
        'FROM node AS build',
        'RUN apt-get install -y clang',
        'COPY packages/nowhere ./x',
        'FROM node:20-bookworm-slim',
        'COPY --from=builder /src/apps/agent/dist ./apps/agent/dist',
        'COPY --from=build /src/apps/agent/dist ./apps/agent/dist',
        'CMD node apps/agent/dist/cli.js',
      ].join('\n'),
    );
    expect(problems.map((p: string) => p.replace(/^.*:(\d+): /, 'line $1: '))).toEqual([
      'line 1: FROM node: pin the base image to a version tag',
      'line 2: apt-get install without --no-install-recommends',
      'line 2: apt-get install without apt-get update in the same RUN',
      'line 2: apt lists not removed in the layer that made them',
      'line 3: COPY packages/nowhere: not in the build context (the repo)',
      'line 5: COPY --from=builder: no such stage before it',
      'line 1: no HEALTHCHECK',
      'line 7: CMD in shell form: use the JSON form so signals reach the process',
    ]);
  });
  it('follows the entry command into the repo or the package build that writes it', () => {
    const base =
      'FROM node:20-bookworm-slim AS build\nFROM node:20-bookworm-slim\nWORKDIR /opt/bpfplay\nHEALTHCHECK CMD true\n';
    expect(
      check(`${base}COPY --from=build /src/apps/agent/dist ./apps/agent/dist\nCMD ["node", "apps/agent/dist/cli.js"]`),
    ).toEqual([]);
    expect(
      check(`${base}COPY --from=build /src/apps/agent/dist ./apps/agent/dist\nCMD ["node", "apps/agent/dist/nope.js"]`),
    ).toEqual([
      expect.stringMatching(
        /CMD runs apps\/agent\/dist\/nope\.js: neither in the repo nor written by its package's build/,
      ),
    ]);
    expect(check(`${base}CMD ["node", "server.mjs"]`)).toEqual([
      expect.stringMatching(/CMD runs \/opt\/bpfplay\/server\.mjs, which no COPY puts in the image/),
    ]);
  });
});

describe('the agent image', () => {
  it('starts the bundle the build produces, with the Debian packages setup.sh installs', () => {
    const text = read('Dockerfile.agent');
    expect(readFileSync(join(root, 'apps/agent/build.mjs'), 'utf8')).toMatch(/cli: join\(root, 'src\/cli\.ts'\)/);
    expect(text).toMatch(/apps\/agent\/dist\/cli\.js/);
    const setup = readFileSync(join(root, 'scripts/setup.sh'), 'utf8');
    for (const pkg of ['clang-19', 'llvm-19', 'libbpf-dev', 'bpftool', 'bubblewrap']) {
      expect(setup).toContain(pkg);
      expect(text).toContain(pkg);
    }
  });
  it('probes the health endpoint the agent serves', () => {
    expect(readFileSync(join(root, 'apps/agent/src/server/http.ts'), 'utf8')).toContain("'/healthz'");
    expect(read('Dockerfile.agent')).toContain('/healthz');
  });
});

describe('compose.yaml', () => {
  const compose = parse(read('compose.yaml')) as { services: Record<string, Record<string, unknown>> };
  it('runs a privileged agent in the host PID namespace and an unprivileged web app', () => {
    expect(compose.services.agent).toMatchObject({ privileged: true, pid: 'host' });
    expect(compose.services.web?.privileged).toBeUndefined();
  });
  it('builds from Dockerfiles that exist', () => {
    for (const s of Object.values(compose.services)) {
      const b = s.build as { dockerfile: string };
      expect(existsSync(join(root, b.dockerfile))).toBe(true);
    }
  });
});
