import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import type { Engine } from '../engine/engine.js';
import { putQueue } from '../engine/tasks/queue-store.js';
import { putCalendar } from '../engine/time/calendar-store.js';

/** The repository's examples/ folder, from src/demo or dist/demo alike. */
export const EXAMPLES_DIR = path.resolve(import.meta.dirname, '../../examples');

export interface SeedReport {
  decisions: string[];
  calendars: string[];
  queues: string[];
  workflows: Array<{ key: string; version: number; created: boolean }>;
}

/**
 * Demo data: everything in examples/ — decisions, holiday calendars, work queues, then the workflows
 * that use them — in the order a deploy needs. Every put and deploy is idempotent (an unchanged
 * document is a no-op), so `finflow serve --demo` can run it on every start.
 */
export async function seedExamples(engine: Engine, dir = EXAMPLES_DIR, actor = 'system:demo'): Promise<SeedReport> {
  const { database, clock } = engine.services;
  const files = (sub: string, ext: string) =>
    existsSync(path.join(dir, sub))
      ? readdirSync(path.join(dir, sub))
          .filter((f) => f.endsWith(ext))
          .sort()
      : [];
  const json = (...parts: string[]): unknown => JSON.parse(readFileSync(path.join(dir, ...parts), 'utf8'));
  const report: SeedReport = { decisions: [], calendars: [], queues: [], workflows: [] };

  for (const file of files('decisions', '.json')) {
    const key = path.basename(file, '.json');
    await engine.putDecision({ key, content: json('decisions', file), actor });
    report.decisions.push(key);
  }
  for (const file of files('calendars', '.json')) {
    const name = path.basename(file, '.json');
    const calendar = json('calendars', file) as { timezone: string; weekend?: number[]; holidays: string[] };
    await putCalendar(database, { name, ...calendar, actor }, clock);
    report.calendars.push(name);
  }
  if (existsSync(path.join(dir, 'queues.json'))) {
    for (const [name, members] of Object.entries(json('queues.json') as Record<string, string[]>)) {
      await putQueue(database, { name, members, actor }, clock);
      report.queues.push(name);
    }
  }
  for (const file of files('.', '.yaml')) {
    const deployed = await engine.deploy({ source: readFileSync(path.join(dir, file), 'utf8'), actor });
    report.workflows.push({ key: deployed.key, version: deployed.version, created: deployed.created });
  }
  return report;
}
