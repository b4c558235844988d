import { request as httpRequest } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { AgentInfo } from '@bpfplay/protocol';
import { httpBase, type AgentEndpoint } from './endpoint';

/** Bigger than any real answer (a few kB); a peer that sends more is not an agent. */
const MAX_INFO_BYTES = 1 << 20;

/**
 * GET /api/info from one agent: what its hello says (kernel, capabilities, limits, load) without
 * opening a session, so refreshing a fleet's status costs no session slot. The token goes in the
 * Authorization header, never in a URL that a proxy might log.
 */
export function fetchAgentInfo(ep: AgentEndpoint, timeoutMs: number): Promise<AgentInfo> {
  const url = new URL('/api/info', httpBase(ep.url));
  const request = url.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolve, reject) => {
    const req = request(
      url,
      {
        headers: { authorization: `Bearer ${ep.token}`, accept: 'application/json' },
        timeout: timeoutMs,
        ...(ep.tls?.ca ? { ca: ep.tls.ca } : {}),
        ...(ep.tls?.servername ? { servername: ep.tls.servername } : {}),
      },
      (res) => {
        const chunks: Buffer[] = [];
        let bytes = 0;
        res.on('data', (c: Buffer) => {
          bytes += c.length;
          if (bytes > MAX_INFO_BYTES) req.destroy(new Error('answer too large for an agent'));
          else chunks.push(c);
        });
        res.on('end', () => {
          const body = Buffer.concat(chunks).toString('utf8');
          if (res.statusCode === 401) return reject(new Error('the agent refused the token (401)'));
          if (res.statusCode !== 200) return reject(new Error(`the agent answered ${res.statusCode}`));
          let json: unknown;
          try {
            json = JSON.parse(body);
          } catch {
            return reject(new Error('the agent answered something that is not JSON'));
          }
          const parsed = AgentInfo.safeParse(json);
          if (!parsed.success) return reject(new Error(`not an agent's info: ${parsed.error.issues[0]?.message}`));
          resolve(parsed.data);
        });
        res.on('error', reject);
      },
    );
    req.on('timeout', () => req.destroy(new Error(`no answer in ${timeoutMs} ms`)));
    req.on('error', (e: NodeJS.ErrnoException) => reject(new Error(e.code ? `${e.code}: ${e.message}` : e.message)));
    req.end();
  });
}
