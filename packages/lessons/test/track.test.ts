/**
 * The lesson track as authors and pages see it: every folder of bpf/lessons reads as a lesson, the
 * track covers what a workshop needs in order, each lesson says what the kernel must offer, and
 * each check plants values its expectations depend on (so a hard-coded answer cannot pass).
 */
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { placeholdersIn } from '@bpfplay/protocol';
import { LessonError, lessonContent, plantOne, plantValues, readLesson, readLessons, resolveLessonId } from '../src';

const DIR = join(import.meta.dirname, '../../../bpf/lessons');

describe('the lesson track in bpf/lessons', () => {
  const { lessons, problems } = readLessons(DIR);

  it('reads every lesson folder without a problem', () => {
    expect(problems).toEqual([]);
  });

  it('has at least 10 lessons, numbered 1, 2, 3... in order', () => {
    expect(lessons.length).toBeGreaterThanOrEqual(10);
    expect(lessons.map((l) => l.index)).toEqual(lessons.map((_, i) => i + 1));
  });

  it('goes from printk through maps, ring buffers, histograms, CO-RE, uprobes, iterators, XDP to the verifier', () => {
    const order = [
      /printk/i,
      /map/i,
      /ring buffer/i,
      /histogram/i,
      /CO-RE/i,
      /uprobe/i,
      /iterator/i,
      /XDP/i,
      /verifier/i,
    ];
    let at = -1;
    for (const re of order) {
      const i = lessons.findIndex((l, n) => n > at && re.test(l.title));
      expect(i, `no lesson titled like ${re} after lesson ${at + 1}`).toBeGreaterThan(at);
      at = i;
    }
    expect(lessons.some((l) => /fix/i.test(l.title) && /verifier/i.test(l.title))).toBe(true);
  });

  it('names the kernel features each lesson needs', () => {
    for (const l of lessons) {
      expect(l.needs.attach.length, l.id).toBeGreaterThan(0);
      expect(l.needs.features.length, l.id).toBeGreaterThan(0);
    }
  });

  it('plants a fresh value in every check that judges the program by its output', () => {
    for (const l of lessons) {
      const judgesOutput = l.check.expect.some((e) => !('verifier' in e) && !('core' in e));
      if (!judgesOutput) continue;
      const used = placeholdersIn(JSON.stringify(l.check.expect));
      expect(used.length, `${l.id}: its expectations use no planted value`).toBeGreaterThan(0);
      const fed = placeholdersIn(JSON.stringify([l.check.trigger, l.check.packets ?? null]));
      for (const name of used) expect(fed, `${l.id}: {{${name}}} is never put into the trigger`).toContain(name);
    }
  });

  it('names trigger programs by absolute path (the agent runs them without a shell)', () => {
    for (const l of lessons) for (const t of l.check.trigger) expect(t.run[0], l.id).toMatch(/^\//);
  });

  it('keeps the solution out of what a page gets until it is unlocked', () => {
    const l = lessons[0]!;
    expect(lessonContent(l, false).solution).toBeUndefined();
    expect(lessonContent(l, true).solution).toEqual(l.solution);
  });

  it('finds a lesson by its number or the start of its name', () => {
    const third = lessons[2]!;
    expect(resolveLessonId(DIR, '3')).toBe(third.id);
    expect(resolveLessonId(DIR, third.id)).toBe(third.id);
    expect(resolveLessonId(DIR, third.id.slice(3))).toBe(third.id);
    expect(() => resolveLessonId(DIR, '99')).toThrow(/no lesson "99"; lessons: 01-/);
  });
});

describe('a broken lesson folder', () => {
  const dir = mkdtempSync(join(tmpdir(), 'bpfplay-lessons-'));
  const lesson = (id: string, files: Record<string, string>) => {
    for (const [name, content] of Object.entries(files)) {
      mkdirSync(join(dir, id, name, '..'), { recursive: true });
      writeFileSync(join(dir, id, name), content);
    }
  };
  const good = {
    'lesson.md': '# Good\n',
    'check.json': JSON.stringify({ needs: { attach: ['tracepoint'] }, expect: [{ printk: 'x' }] }),
    'starter/a.bpf.c': 'int x;',
    'solution/a.bpf.c': 'int y;',
  };
  lesson('01-good', good);
  lesson('02-unplanted', {
    ...good,
    'check.json': JSON.stringify({ needs: { attach: ['tracepoint'] }, expect: [{ printk: '{{comm}}' }] }),
  });
  lesson('03-no-title', { ...good, 'lesson.md': 'no heading' });
  lesson('04-shell', {
    ...good,
    'check.json': JSON.stringify({ needs: { attach: ['x'] }, trigger: [{ run: ['ls'] }], expect: [{ printk: 'x' }] }),
  });

  it('is reported with the file and the problem, and the others still load', () => {
    const { lessons, problems } = readLessons(dir);
    expect(lessons.map((l) => l.id)).toEqual(['01-good']);
    expect(problems).toEqual([
      'lesson 02-unplanted: check.json: {{comm}} is used but not planted: add it to "plant"',
      'lesson 03-no-title: lesson.md has no "# Title" line',
      'lesson 04-shell: check.json: trigger.0.run: run[0] must be an absolute path (no shell, no PATH lookup)',
    ]);
  });

  it('refuses ids that could name another folder', () => {
    expect(() => readLesson(dir, '../01-good')).toThrow(LessonError);
  });
});

describe('planted values', () => {
  it('are fresh each time and fit where they go', () => {
    const a = plantValues({ comm: 'comm', file: 'file', word: 'word', port: 'port', size: 'size' });
    const b = plantValues({ comm: 'comm', file: 'file', word: 'word', port: 'port', size: 'size' });
    for (const k of ['comm', 'file', 'word']) expect(a[k]).not.toBe(b[k]);
    for (let i = 0; i < 200; i++) {
      expect(String(plantOne('comm')).length).toBeLessThanOrEqual(15);
      expect(plantOne('file')).toMatch(/^bpfplay-[a-z0-9]{10}$/);
      expect([53, 80, 443, 8080, 7777]).not.toContain(plantOne('port'));
      const size = plantOne('size') as number;
      expect(size).toBeGreaterThanOrEqual(64);
      expect(size).toBeLessThan(16384);
    }
  });
});
