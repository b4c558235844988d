import { mkdirSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The figures the abuse suite prints: per group, how many cases were tried and how many the agent
 * answered correctly, plus crashes, leaks and the load figures. Tests append to one tally; the
 * table is printed at the end of a test file and of the long script.
 */
export interface GroupTally {
  tried: number;
  correct: number;
  failures: string[];
}

export class Tally {
  readonly groups = new Map<string, GroupTally>();
  crashes = 0;
  leaks = 0;
  readonly figures: [string, string][] = [];

  record(group: string, name: string, failure: string | undefined): void {
    const g = this.groups.get(group) ?? { tried: 0, correct: 0, failures: [] };
    g.tried++;
    if (failure === undefined) g.correct++;
    else g.failures.push(`${name}: ${failure}`);
    this.groups.set(group, g);
  }

  figure(name: string, value: string | number): void {
    this.figures.push([name, typeof value === 'number' ? formatNumber(value) : value]);
  }

  /**
   * With BPFPLAY_ABUSE_REPORT_DIR set (the full suite, full.ts), each test file leaves its tally
   * there so one table can sum them all at the end.
   */
  save(section: string): void {
    const dir = process.env.BPFPLAY_ABUSE_REPORT_DIR;
    if (!dir) return;
    mkdirSync(dir, { recursive: true });
    const data = { section, groups: [...this.groups], crashes: this.crashes, leaks: this.leaks, figures: this.figures };
    writeFileSync(join(dir, `${section.replace(/[^A-Za-z0-9]+/g, '-')}.json`), JSON.stringify(data));
  }

  /** The tallies `save` left in `dir`, summed; figures keep their section's name. */
  static loadAll(dir: string): Tally {
    const all = new Tally();
    for (const f of readdirSync(dir)
      .filter((x) => x.endsWith('.json'))
      .sort()) {
      const d = JSON.parse(readFileSync(join(dir, f), 'utf8')) as {
        section: string;
        groups: [string, GroupTally][];
        crashes: number;
        leaks: number;
        figures: [string, string][];
      };
      for (const [name, g] of d.groups) {
        const mine = all.groups.get(name) ?? { tried: 0, correct: 0, failures: [] };
        mine.tried += g.tried;
        mine.correct += g.correct;
        mine.failures.push(...g.failures);
        all.groups.set(name, mine);
      }
      all.crashes += d.crashes;
      all.leaks += d.leaks;
      for (const [k, v] of d.figures) all.figures.push([`${d.section.split(':')[0]}: ${k}`, v]);
    }
    return all;
  }

  get failures(): string[] {
    return [...this.groups.values()].flatMap((g) => g.failures);
  }

  table(title = 'abuse suite'): string {
    const rows: [string, string, string][] = [...this.groups].map(([group, g]) => [
      group,
      String(g.tried),
      String(g.correct),
    ]);
    const tried = [...this.groups.values()].reduce((n, g) => n + g.tried, 0);
    const correct = [...this.groups.values()].reduce((n, g) => n + g.correct, 0);
    const w = Math.max(28, ...rows.map((r) => r[0].length), ...this.figures.map((f) => f[0].length));
    const line = (a: string, b: string, c: string) => `${a.padEnd(w)}  ${b.padStart(7)}  ${c.padStart(9)}`;
    const out = [
      `── ${title} ${'─'.repeat(Math.max(0, w + 16 - title.length))}`,
      line('group', 'tried', 'correct'),
      ...rows.map((r) => line(...r)),
      line('total', String(tried), String(correct)),
      line('agent crashes', '', String(this.crashes)),
      line('BPF programs leaked', '', String(this.leaks)),
      ...(this.figures.length ? ['', ...this.figures.map(([k, v]) => `${k.padEnd(w)}  ${v}`)] : []),
      ...(this.failures.length ? ['', 'FAILURES:', ...this.failures.map((f) => `  ${f}`)] : []),
    ];
    return out.join('\n');
  }
}

export function formatNumber(n: number): string {
  if (!Number.isFinite(n)) return String(n);
  return Number.isInteger(n) ? n.toLocaleString('en-US') : n.toFixed(1);
}

export function mib(bytes: number): string {
  return `${(bytes / (1 << 20)).toFixed(1)} MiB`;
}
