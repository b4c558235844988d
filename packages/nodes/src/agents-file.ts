import { readFileSync } from 'node:fs';
import { defaultName, sessionUrl, type AgentEndpoint, type TlsOptions } from './endpoint';

/**
 * The agents file: one agent a line, `URL TOKEN [NAME]`; `#` starts a comment. Tokens live in this
 * file (mode 0600, or a mounted Secret) and never on a command line, where `ps` shows them to every
 * user of the machine.
 *
 *     ws://10.0.0.5:7100   3f9c…   node-a
 *     wss://node-b.lab:7100 91ab…
 */
export function parseAgentsFile(text: string, source = 'agents file', tls?: TlsOptions): AgentEndpoint[] {
  const out: AgentEndpoint[] = [];
  const names = new Set<string>();
  text.split('\n').forEach((raw, i) => {
    const line = raw.replace(/#.*$/, '').trim();
    if (!line) return;
    const where = `${source}:${i + 1}`;
    const cols = line.split(/\s+/);
    if (cols.length < 2 || cols.length > 3) {
      throw new Error(
        `${where}: expected "URL TOKEN [NAME]", got ${cols.length} column${cols.length === 1 ? '' : 's'}`,
      );
    }
    let url: string;
    try {
      url = sessionUrl(cols[0]!);
    } catch (e) {
      throw new Error(`${where}: ${(e as Error).message}`, { cause: e });
    }
    const name = cols[2] ?? defaultName(url);
    if (!/^[A-Za-z0-9._:-]{1,64}$/.test(name)) {
      throw new Error(`${where}: node name "${name}" may use letters, digits, . _ : - (at most 64)`);
    }
    if (names.has(name)) throw new Error(`${where}: node name "${name}" appears twice; name each agent once`);
    if (out.some((e) => e.url === url)) throw new Error(`${where}: ${url} appears twice; list each agent once`);
    names.add(name);
    out.push({ name, url, token: cols[1]!, ...(tls ? { tls } : {}) });
  });
  if (out.length === 0) throw new Error(`${source}: no agents (one "URL TOKEN [NAME]" line each)`);
  return out;
}

export function readAgentsFile(path: string, tls?: TlsOptions): AgentEndpoint[] {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new Error(
      `cannot read the agents file ${path}: ${(e as NodeJS.ErrnoException).code ?? (e as Error).message}`,
      { cause: e },
    );
  }
  return parseAgentsFile(text, path, tls);
}
