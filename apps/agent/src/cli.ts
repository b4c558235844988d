import { parseArgs } from 'node:util';
import { spawn } from 'node:child_process';
import type { RunOptions } from '@bpfplay/protocol';
import { startAgent } from './agent.js';
import { defaultConfig } from './config.js';
import { AGENT_OPTIONS, agentTarget, paramsOption, positiveInt, readToken } from './cli/agent-target.js';
import { runOnAgent } from './cli/run-client.js';
import { askAgent, formatResult } from './cli/lsp-client.js';
import { fail, readSnippet } from './cli/snippet-files.js';
import { lessonCommand, LESSON_USAGE } from './cli/lesson-command.js';
import { runOnNodes } from './cli/fanout-client.js';
import { exportCommand, EXPORT_USAGE } from './cli/export-command.js';
import { testRunCommand, TEST_RUN_USAGE } from './cli/test-run-command.js';
import { applyOperatorConfig, loadPolicyFile } from './policy/policy-file.js';
import { TOKEN_ENV, TOKEN_OPTIONS, TOKEN_USAGE } from './cli/token-source.js';

const USAGE = `usage:
  bpfplay agent [--port N] [--host H] [--allow-origin URL]... [--data-dir DIR] [--trust-proxy ADDR]...
                ${TOKEN_USAGE} (default: a new random token)
                [--web-url URL] [--policy FILE] [--warm N] [--runs-per-runner N] [--max-events-per-sec N] [--lessons DIR]
                [--isolate (every run in a throwaway microVM)] [--warm-guests all|5.10,6.1,...]
                [--accept-objects (run objects a fan-out compiled on another agent)] [--tls-cert PEM --tls-key PEM]
  bpfplay run FILE... [--agent URL] ${TOKEN_USAGE} [--duration SECONDS] [--json] [--main FILE]
              [--kernel host,5.10,6.1,6.12 (run targets, side by side)]
              [--agents FILE (every agent of FILE at once: one "URL TOKEN [NAME]" line each; compiled once)]
              [--param NAME=VALUE]... [--perf-freq HZ] [--compile-only] [--core-target NAME]...
              [--binary (ring buffer records as raw bytes, decoded here)]
              [--trigger "shell command run once the probes are attached"]
  bpfplay complete FILE... --line L --col C [--json] [--main FILE] [--agent URL] ${TOKEN_USAGE}
  bpfplay hover FILE... --line L --col C [--json] [--main FILE] [--agent URL] ${TOKEN_USAGE}
              (L and C count from 1 in the first FILE; the other files are its headers)
${EXPORT_USAGE}
${TEST_RUN_USAGE}
${LESSON_USAGE}`;

async function agentCommand(args: string[]): Promise<void> {
  const { values } = parseArgs({
    args,
    options: {
      port: { type: 'string' },
      host: { type: 'string' },
      ...TOKEN_OPTIONS,
      'allow-origin': { type: 'string', multiple: true },
      'trust-proxy': { type: 'string', multiple: true },
      'data-dir': { type: 'string' },
      'web-url': { type: 'string' },
      policy: { type: 'string' },
      warm: { type: 'string' },
      'runs-per-runner': { type: 'string' },
      'max-events-per-sec': { type: 'string' },
      lessons: { type: 'string' },
      isolate: { type: 'boolean', default: false },
      'warm-guests': { type: 'string' },
      'accept-objects': { type: 'boolean', default: false },
      'tls-cert': { type: 'string' },
      'tls-key': { type: 'string' },
    },
  });
  const token = readToken(values);
  // Runners and example triggers inherit the environment; the token stays in this process.
  delete process.env[TOKEN_ENV];
  if (Boolean(values['tls-cert']) !== Boolean(values['tls-key'])) fail('--tls-cert and --tls-key go together');
  const config = defaultConfig({
    ...(values.port ? { port: Number(values.port) } : {}),
    ...(values.host ? { host: values.host } : {}),
    ...(token ? { token } : {}),
    ...(values['data-dir'] ? { dataDir: values['data-dir'] } : {}),
    ...(values['web-url'] ? { webUrl: values['web-url'] } : {}),
    ...(values.warm ? { warmRunners: Number(values.warm) } : {}),
    ...(values['runs-per-runner']
      ? { runsPerRunner: positiveInt('--runs-per-runner', values['runs-per-runner']) }
      : {}),
    ...(values.lessons ? { lessonsDir: values.lessons } : {}),
    isolate: values.isolate ?? false,
    ...(values['warm-guests'] ? { warmGuests: values['warm-guests'].split(',') } : {}),
    acceptObjects: values['accept-objects'] ?? false,
    ...(values['tls-cert'] && values['tls-key']
      ? { tls: { certFile: values['tls-cert'], keyFile: values['tls-key'] } }
      : {}),
  });
  if (values.policy) {
    try {
      // Before the flags below, so a flag given on the command line wins over the file.
      applyOperatorConfig(config, loadPolicyFile(values.policy));
    } catch (e) {
      fail((e as Error).message);
    }
  }
  if (values['max-events-per-sec'])
    config.limits.maxEventsPerSec = positiveInt('--max-events-per-sec', values['max-events-per-sec']);
  if (values['allow-origin']) config.allowedOrigins.push(...values['allow-origin']);
  if (values['trust-proxy']) config.trustedProxies.push(...values['trust-proxy']);
  if (config.webUrl) config.allowedOrigins.push(new URL(config.webUrl).origin);
  const log = (l: string) => process.stderr.write(`bpfplay agent: ${l}\n`);
  const agent = await startAgent(config, log);
  process.stdout.write(`bpfplay agent listening on ${agent.url}/ws\n`);
  process.stdout.write(`agent URL with token: ${agent.url}/?token=${agent.token}\n`);
  if (config.webUrl) {
    const agentWs = `ws://${config.host}:${agent.port}/ws`;
    process.stdout.write(
      `open the playground: ${config.webUrl}/?token=${agent.token}&agent=${encodeURIComponent(agentWs)}\n`,
    );
  }
  const shutdown = (sig: string) => {
    log(`${sig}: stopping every run and releasing its BPF programs`);
    void agent.close().then(() => process.exit(0));
  };
  process.on('SIGINT', () => shutdown('SIGINT'));
  process.on('SIGTERM', () => shutdown('SIGTERM'));
}

async function runCommand(args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      ...AGENT_OPTIONS,
      duration: { type: 'string' },
      json: { type: 'boolean', default: false },
      binary: { type: 'boolean', default: false },
      main: { type: 'string' },
      param: { type: 'string', multiple: true },
      'perf-freq': { type: 'string' },
      'compile-only': { type: 'boolean', default: false },
      'core-target': { type: 'string', multiple: true },
      trigger: { type: 'string' },
      kernel: { type: 'string' },
      agents: { type: 'string' },
    },
  });
  const snippet = readSnippet(positionals, values.main, USAGE);
  const options: RunOptions = {
    ...(values.duration ? { durationSec: Number(values.duration) } : {}),
    ...paramsOption(values.param),
    ...(values['perf-freq'] ? { perfFrequency: Number(values['perf-freq']) } : {}),
    ...(values['compile-only'] ? { mode: 'compile' as const } : {}),
    ...(values['core-target'] ? { coreTargets: values['core-target'] } : {}),
    ...(values.binary ? { eventFormat: 'binary' as const } : {}),
    ...(values.kernel ? { targets: values.kernel.split(',').map((k) => k.trim()) } : {}),
  };
  if (values.agents) {
    if (values.agent || values.token || values['token-file'])
      fail('--agents FILE names every agent and its token: no --agent, --token or --token-file with it');
    if (values.binary || values.trigger) fail('--binary and --trigger are for one agent; not with --agents');
    try {
      return await runOnNodes({
        agentsFile: values.agents,
        snippet,
        options,
        json: values.json ?? false,
        out: (l) => process.stdout.write(`${l}\n`),
        err: (l) => process.stderr.write(`${l}\n`),
      });
    } catch (e) {
      fail((e as Error).message);
    }
  }
  const agent = await agentTarget(values);
  const trigger = values.trigger;
  const outcome = await runOnAgent({
    agentUrl: agent.agentUrl,
    token: agent.token,
    snippet,
    options,
    json: values.json ?? false,
    out: (l) => process.stdout.write(`${l}\n`),
    err: (l) => process.stderr.write(`${l}\n`),
    ...(trigger ? { onRunning: () => void spawn('sh', ['-c', trigger], { stdio: 'ignore' }) } : {}),
  });
  await agent.close();
  return outcome.exitCode;
}

/** `complete` and `hover`: what the editor would show at a position of a file. */
async function lspCommand(method: 'completion' | 'hover', args: string[]): Promise<number> {
  const { values, positionals } = parseArgs({
    args,
    allowPositionals: true,
    options: {
      line: { type: 'string' },
      col: { type: 'string' },
      json: { type: 'boolean', default: false },
      main: { type: 'string' },
      ...AGENT_OPTIONS,
    },
  });
  const line = Number(values.line);
  const col = Number(values.col);
  if (!Number.isInteger(line) || line < 1 || !Number.isInteger(col) || col < 1)
    fail(`--line and --col are required and count from 1\n${USAGE}`);
  const snippet = readSnippet(positionals, values.main, USAGE);
  const file = snippet.files[0]!.name;
  const position = { line: line - 1, character: col - 1 };
  const agent = await agentTarget(values);
  try {
    const result = await askAgent({
      agentUrl: agent.agentUrl,
      token: agent.token,
      snippet,
      request: { method, file, position },
    });
    process.stdout.write(`${values.json ? JSON.stringify(result) : formatResult(result)}\n`);
    return 0;
  } catch (e) {
    process.stderr.write(`bpfplay: ${(e as Error).message}\n`);
    return 1;
  } finally {
    await agent.close();
  }
}

/**
 * Exit with `code` once stdout has taken everything written to it. A pipe read slowly (a script
 * reading `--json`, a loaded machine) leaves Node holding the writes the pipe had no room for, and
 * process.exit drops them: bench/corpus lost offcputime's last map snapshots and its `stopped` line
 * that way (exit code 0, no `stopped` in the output, load average 13). The write callback runs after
 * every earlier write was flushed; ws and timers that linger a moment then no longer keep us.
 */
function exitAfterOutput(code: number): void {
  process.exitCode = code;
  process.stdout.write('', () => setTimeout(() => process.exit(code), 100).unref());
}

async function main(): Promise<void> {
  const [cmd, ...rest] = process.argv.slice(2);
  switch (cmd) {
    case 'agent':
      return agentCommand(rest);
    case 'run':
      return exitAfterOutput(await runCommand(rest));
    case 'complete':
    case 'hover':
      return exitAfterOutput(await lspCommand(cmd === 'complete' ? 'completion' : 'hover', rest));
    case 'export':
      return exitAfterOutput(await exportCommand(rest, USAGE));
    case 'test-run':
      return exitAfterOutput(await testRunCommand(rest, USAGE));
    case 'lesson':
      return exitAfterOutput(await lessonCommand(rest, USAGE));
    case undefined:
    case '-h':
    case '--help':
      process.stdout.write(`${USAGE}\n`);
      return;
    default:
      fail(`unknown command "${cmd}"\n${USAGE}`);
  }
}

main().catch((e: Error) => fail(e.stack ?? e.message, 1));
