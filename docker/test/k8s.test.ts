import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { parse, parseAllDocuments } from 'yaml';
import { Namespace } from 'kubernetes-models/v1/Namespace';
import { Secret } from 'kubernetes-models/v1/Secret';
import { Service } from 'kubernetes-models/v1/Service';
import { DaemonSet } from 'kubernetes-models/apps/v1/DaemonSet';
import { Deployment } from 'kubernetes-models/apps/v1/Deployment';
import { NetworkPolicy } from 'kubernetes-models/networking.k8s.io/v1/NetworkPolicy';

/**
 * `kubectl apply -k docker/k8s`, checked offline: every object the kustomization makes is validated
 * against the Kubernetes OpenAPI schemas that the npm package kubernetes-models ships (compiled ajv
 * validators; nothing is fetched at test time). Those schemas check types, required fields and
 * enums, not unknown fields (the API server's strict field validation does that), so the fields
 * the agent depends on are asserted by name below.
 */
const k8s = join(import.meta.dirname, '..', 'k8s');

type Model = new (data: object) => { validate(): void };
const CLASSES: Record<string, Model> = {
  'v1/Namespace': Namespace as unknown as Model,
  'v1/Secret': Secret as unknown as Model,
  'v1/Service': Service as unknown as Model,
  'apps/v1/DaemonSet': DaemonSet as unknown as Model,
  'apps/v1/Deployment': Deployment as unknown as Model,
  'networking.k8s.io/v1/NetworkPolicy': NetworkPolicy as unknown as Model,
};

interface Obj {
  apiVersion: string;
  kind: string;
  metadata: { name: string; namespace?: string; labels?: Record<string, string> };
  [k: string]: any;
}

/** What `kustomize build` makes of the kustomization, for the features it uses (namespace, labels, secretGenerator). */
function build(): Obj[] {
  const kust = parse(readFileSync(join(k8s, 'kustomization.yaml'), 'utf8'));
  const objs: Obj[] = [];
  for (const r of kust.resources as string[]) {
    for (const d of parseAllDocuments(readFileSync(join(k8s, r), 'utf8'))) {
      if (d.errors.length) throw new Error(`${r}: ${d.errors[0]!.message}`);
      objs.push(d.toJS() as Obj);
    }
  }
  for (const g of kust.secretGenerator ?? []) {
    const data: Record<string, string> = {};
    for (const f of g.files as string[]) data[f.split('=')[0]!] = Buffer.from('example-token').toString('base64');
    objs.push({ apiVersion: 'v1', kind: 'Secret', metadata: { name: g.name }, type: g.type, data });
  }
  const labels = Object.assign({}, ...((kust.labels ?? []) as { pairs: object }[]).map((l) => l.pairs));
  return objs.map((o) => ({
    ...o,
    metadata: {
      ...o.metadata,
      labels: { ...o.metadata.labels, ...labels },
      ...(o.kind === 'Namespace' ? {} : { namespace: kust.namespace }),
    },
  }));
}

function validate(o: Obj): void {
  const Class = CLASSES[`${o.apiVersion}/${o.kind}`];
  if (!Class) throw new Error(`${o.kind} ${o.apiVersion}: no schema in this test; add it to CLASSES`);
  new Class(o).validate();
}

const objs = build();
const find = (kind: string, name: string) => {
  const o = objs.find((x) => x.kind === kind && x.metadata.name === name);
  if (!o) throw new Error(`no ${kind} ${name} in the kustomization`);
  return o;
};

describe('docker/k8s (kubectl apply -k docker/k8s)', () => {
  it('makes the objects the issue names, each valid against the Kubernetes OpenAPI schemas', () => {
    expect(objs.map((o) => `${o.kind}/${o.metadata.name}`).sort()).toEqual([
      'DaemonSet/bpfplay-agent',
      'Deployment/bpfplay-web',
      'Namespace/bpfplay',
      'NetworkPolicy/bpfplay-agent-ingress',
      'Secret/bpfplay-token',
      'Service/bpfplay-agent',
      'Service/bpfplay-web',
    ]);
    for (const o of objs) expect(() => validate(o), `${o.kind}/${o.metadata.name}`).not.toThrow();
  });

  it('the validation is real: a wrong type or a missing field is refused', () => {
    const ds = structuredClone(find('DaemonSet', 'bpfplay-agent'));
    ds.spec.template.spec.containers[0].ports[0].containerPort = 'ws';
    expect(() => validate(ds)).toThrow(/containerPort must be integer/);
    const svc = structuredClone(find('Service', 'bpfplay-agent'));
    delete svc.spec.ports[0].port;
    expect(() => validate(svc)).toThrow(/required property port/);
  });

  it('runs one privileged agent per Linux node, host PID namespace, BTF/tracefs/bpffs mounted, limits set', () => {
    const pod = find('DaemonSet', 'bpfplay-agent').spec.template.spec;
    expect(pod.hostPID).toBe(true);
    expect(pod.nodeSelector['kubernetes.io/os']).toBe('linux');
    const c = pod.containers[0];
    expect(c.securityContext.privileged).toBe(true);
    // Fan-out runs ship one compiled object to every node.
    expect(c.args).toContain('--accept-objects');
    expect(c.readinessProbe.httpGet.path).toBe('/healthz');
    expect(c.resources.limits).toMatchObject({ cpu: expect.any(String), memory: expect.any(String) });
    const mounts = Object.fromEntries(c.volumeMounts.map((m: any) => [m.mountPath, m.name]));
    const host = Object.fromEntries(
      pod.volumes.filter((v: any) => v.hostPath).map((v: any) => [v.name, v.hostPath.path]),
    );
    for (const p of ['/sys/kernel/btf', '/sys/kernel/tracing', '/sys/fs/bpf']) expect(host[mounts[p]], p).toBe(p);
    // The token comes from the Secret, never from a literal in the manifest.
    const tokenEnv = c.env.find((e: any) => e.name === 'BPFPLAY_TOKEN');
    expect(tokenEnv.valueFrom.secretKeyRef.name).toBe('bpfplay-token');
  });

  it('publishes every agent pod through a headless Service whose SRV port name the web app looks up', () => {
    const svc = find('Service', 'bpfplay-agent');
    const ds = find('DaemonSet', 'bpfplay-agent');
    expect(svc.spec.clusterIP).toBe('None');
    expect(ds.spec.template.metadata.labels).toMatchObject(svc.spec.selector);
    const web = find('Deployment', 'bpfplay-web').spec.template.spec.containers[0];
    const env = Object.fromEntries(web.env.map((e: any) => [e.name, e.value]));
    expect(env.BPFPLAY_AGENTS_SERVICE).toBe(`${svc.metadata.name}.${svc.metadata.namespace}.svc.cluster.local`);
    expect(svc.spec.ports.map((p: any) => p.name)).toContain(env.BPFPLAY_AGENTS_PORT_NAME);
    expect(ds.spec.template.spec.containers[0].ports.map((p: any) => p.name)).toContain(svc.spec.ports[0].targetPort);
  });

  it('lets only the web app reach the agents, and the web app runs unprivileged with the token from the Secret', () => {
    const np = find('NetworkPolicy', 'bpfplay-agent-ingress');
    const ds = find('DaemonSet', 'bpfplay-agent');
    const web = find('Deployment', 'bpfplay-web');
    expect(ds.spec.template.metadata.labels).toMatchObject(np.spec.podSelector.matchLabels);
    expect(np.spec.policyTypes).toEqual(['Ingress']);
    expect(np.spec.ingress).toHaveLength(1);
    expect(np.spec.ingress[0].from).toEqual([{ podSelector: { matchLabels: web.spec.selector.matchLabels } }]);
    // The agents must not share the host network: NetworkPolicies do not apply to host-network pods.
    expect(ds.spec.template.spec.hostNetwork).toBeUndefined();
    const pod = web.spec.template.spec;
    expect(pod.securityContext.runAsNonRoot).toBe(true);
    expect(pod.containers[0].securityContext.privileged).toBeUndefined();
    expect(pod.volumes.find((v: any) => v.secret)?.secret.secretName).toBe('bpfplay-token');
  });

  it('keeps the token out of git', () => {
    expect(readFileSync(join(k8s, '.gitignore'), 'utf8')).toMatch(/^token\.txt$/m);
    expect(existsSync(join(k8s, 'kustomization.yaml'))).toBe(true);
  });
});
