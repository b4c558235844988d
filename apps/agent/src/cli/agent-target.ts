import type { ParamValue } from '@bpfplay/protocol';
import { startAgent } from '../agent.js';
import { defaultConfig, type AgentConfig } from '../config.js';
import { fail } from './snippet-files.js';
import { TOKEN_OPTIONS, TOKEN_USAGE, TokenSourceError, tokenFrom, type TokenSources } from './token-source.js';

/** The parseArgs options of every command that talks to an agent: `--agent URL` and where its token comes from. */
export const AGENT_OPTIONS = {
  agent: { type: 'string' },
  ...TOKEN_OPTIONS,
} as const;

/** The token from the command line, file or environment; a token source that cannot be read ends the command. */
export function readToken(values: TokenSources): string | undefined {
  try {
    return tokenFrom(values);
  } catch (e) {
    if (e instanceof TokenSourceError) fail(e.message);
    throw e;
  }
}

/** Where a command sends its request; `close` stops the private agent when the command started one. */
export interface AgentTarget {
  agentUrl: string;
  token: string;
  close(): Promise<void>;
}

/**
 * The agent named by `--agent` with its token, or, when none is named, an agent started in this
 * process on a free loopback port for this command only (`config`, e.g. the lessons folder the
 * command reads). A named agent without a token ends the command with the ways to give one.
 */
export async function agentTarget(
  values: TokenSources & { agent?: string | undefined },
  config: AgentConfig = defaultConfig({ port: 0, allowedOrigins: [] }),
): Promise<AgentTarget> {
  const token = readToken(values);
  if (values.agent) {
    if (!token) fail(`a token is required with --agent: ${TOKEN_USAGE}`);
    return { agentUrl: values.agent, token, close: async () => {} };
  }
  const local = await startAgent(config);
  return { agentUrl: local.url, token: local.token, close: () => local.close() };
}

/** `--param NAME=VALUE`: true/false as booleans, finite numbers as numbers, anything else as a string. */
export function parseParam(s: string): [string, ParamValue] {
  const eq = s.indexOf('=');
  if (eq <= 0) fail(`--param expects NAME=VALUE, got "${s}"`);
  const name = s.slice(0, eq);
  const raw = s.slice(eq + 1);
  if (raw === 'true' || raw === 'false') return [name, raw === 'true'];
  const n = Number(raw);
  return [name, raw !== '' && Number.isFinite(n) ? n : raw];
}

/** The `--param`s of a command as the run's params, or nothing when none is given. */
export function paramsOption(params: string[] | undefined): { params?: Record<string, ParamValue> } {
  return params ? { params: Object.fromEntries(params.map(parseParam)) } : {};
}

/** A flag's value as a positive integer, or the command ends saying which flag was wrong. */
export function positiveInt(flag: string, raw: string): number {
  const n = Number(raw);
  if (!Number.isInteger(n) || n <= 0) fail(`${flag} expects a positive integer, got "${raw}"`);
  return n;
}
