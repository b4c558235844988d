import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';

/**
 * No Docker engine runs on the development machines, so the images are checked statically: every
 * file they copy exists, base images are pinned, the ports, paths and health checks they name are
 * the ones the code really serves, and the manifests parse with the fields the agent needs.
 */
const root = join(import.meta.dirname, '..', '..');
const docker = join(root, 'docker');
const read = (p: string) => readFileSync(join(docker, p), 'utf8');

interface Instruction {
  op: string;
  args: string;
}

function instructions(text: string): Instruction[] {
  const joined = text.replace(/\\\n/g, ' ');
  return joined
    .split('\n')
    .map((l) => l.trim())
    .filter((l) => l && !l.startsWith('#'))
    .map((l) => {
      const [op, ...rest] = l.split(/\s+/);
      return { op: op!.toUpperCase(), args: rest.join(' ') };
    });
}

for (const file of ['Dockerfile.agent', 'Dockerfile.web']) {
  describe(file, () => {
    const ins = instructions(read(file));
    it('pins every base image to a tag', () => {
      const froms = ins.filter((i) => i.op === 'FROM').map((i) => i.args.split(' ')[0]!);
      expect(froms.length).toBeGreaterThan(0);
      for (const f of froms) expect(f, f).toMatch(/:[\w.-]+$/);
      for (const f of froms) expect(f).not.toMatch(/:latest$/);
    });
    it('copies only files that exist in the repository', () => {
      for (const i of ins.filter((x) => x.op === 'COPY' && !x.args.startsWith('--from'))) {
        const parts = i.args.split(/\s+/).filter((p) => !p.startsWith('--'));
        for (const src of parts.slice(0, -1)) expect(existsSync(join(root, src)), `${file}: COPY ${src}`).toBe(true);
      }
    });
    it('cleans apt lists in the same layer it installs', () => {
      for (const i of ins.filter((x) => x.op === 'RUN' && x.args.includes('apt-get install'))) {
        expect(i.args).toMatch(/--no-install-recommends/);
        expect(i.args).toMatch(/rm -rf \/var\/lib\/apt\/lists/);
      }
    });
    it('has a health check', () => {
      expect(ins.some((i) => i.op === 'HEALTHCHECK')).toBe(true);
    });
  });
}

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

describe('k8s/daemonset.yaml', () => {
  const docs = parseAllDocuments(read('k8s/daemonset.yaml')).map((d) => d.toJS() as { kind: string; spec?: any });
  const ds = docs.find((d) => d.kind === 'DaemonSet')!;
  it('runs one privileged agent per node with the host PID namespace and a readiness probe', () => {
    expect(docs.every((d) => typeof d.kind === 'string')).toBe(true);
    const pod = ds.spec.template.spec;
    expect(pod.hostPID).toBe(true);
    const c = pod.containers[0];
    expect(c.securityContext.privileged).toBe(true);
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(c.volumeMounts.map((m: { mountPath: string }) => m.mountPath)).toContain('/sys/kernel/btf');
  });
});
