// Where a run's PostgreSQL time went: reads a server log written with log_min_duration_statement=0
// (FINFLOW_PG_STATEMENT_LOG=FILE, see pg-server.mjs) and prints the statements by total duration,
// one line per statement shape (parameters and literals folded) and protocol phase (parse, bind,
// execute, or a simple statement).
//
//   node scripts/pg-log-summary.mjs FILE [--top 40]
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';

const file = process.argv[2];
if (!file) {
  console.error('usage: node scripts/pg-log-summary.mjs FILE [--top N]');
  process.exit(2);
}
const topAt = process.argv.indexOf('--top');
const top = topAt > 0 ? Number(process.argv[topAt + 1]) : 40;

const DURATION = /duration: ([\d.]+) ms\s+(parse|bind|execute|statement)[^:]*:\s?(.*)$/;
/** One shape for every statement that differs only in its parameters, literals or VALUES length. */
const shape = (text) =>
  text
    .replace(/\$\d+/g, '$')
    .replace(/'[^']*'/g, "'?'")
    .replace(/\(\$(, \$)*\)(, \(\$(, \$)*\))*/g, '($…)')
    .replace(/\s+/g, ' ')
    .trim()
    .slice(0, 140);

const totals = new Map();
let waiting = null; // a statement whose text starts on the next line
let all = 0;
const add = (phase, text, ms) => {
  const key = `${phase.padEnd(9)} ${shape(text)}`;
  const t = totals.get(key) ?? { count: 0, ms: 0 };
  t.count += 1;
  t.ms += ms;
  totals.set(key, t);
  all += ms;
};
for await (const line of createInterface({ input: createReadStream(file) })) {
  if (waiting) {
    add(waiting.phase, line, waiting.ms);
    waiting = null;
    continue;
  }
  const m = DURATION.exec(line);
  if (!m) continue;
  if (m[3].trim() === '') waiting = { phase: m[2], ms: Number(m[1]) };
  else add(m[2], m[3], Number(m[1]));
}
console.log(`${Math.round(all)} ms in ${[...totals.values()].reduce((n, t) => n + t.count, 0)} logged steps`);
console.log('   total ms   count  phase     statement');
for (const [key, t] of [...totals].sort((a, b) => b[1].ms - a[1].ms).slice(0, top)) {
  console.log(`${t.ms.toFixed(0).padStart(11)} ${String(t.count).padStart(7)}  ${key}`);
}
