import { seededRandom } from './cross-validation.js';
import type { Cell, Dataset } from './dataset.js';

/**
 * A small synthetic credit data set with a known structure, for tests and examples: a numeric
 * `income` (riskier when low), a categorical `region name` (a name with a space; one rare region),
 * a numeric `age` with about 10% missing values (missing is risky) and pure noise `noise`.
 * Deterministic for a seed.
 */
export function syntheticCredit(rows = 600, seed = 1): Dataset {
  const random = seededRandom(seed);
  const regions = ['north', 'south', 'east', 'west', 'islands'];
  const regionRisk: Record<string, number> = { north: -0.6, south: 0.2, east: 0.5, west: -0.1, islands: 0.8 };
  const data: Dataset = {
    source: `synthetic(${rows}, ${seed})`,
    attributes: [
      { name: 'income', kind: 'numeric' },
      { name: 'region name', kind: 'categorical' },
      { name: 'age', kind: 'numeric' },
      { name: 'noise', kind: 'numeric' },
    ],
    rows: [],
    target: [],
    lines: [],
    targetName: 'bad',
  };
  for (let i = 0; i < rows; i++) {
    const income = Math.round(1000 + 4000 * random() ** 2);
    // "islands" is rare (about 3%).
    const u = random();
    const region = u < 0.03 ? 'islands' : regions[Math.floor(((u - 0.03) / 0.97) * 4)]!;
    const age: Cell = random() < 0.1 ? null : Math.round(20 + 45 * random());
    const logit = -0.8 - (income - 2500) / 1200 + regionRisk[region]! + (age === null ? 0.9 : -(age - 40) / 25);
    const bad = random() < 1 / (1 + Math.exp(-logit)) ? 1 : 0;
    data.rows.push([income, region, age, Math.round(random() * 100)]);
    data.target.push(bad);
    data.lines.push(i + 2);
  }
  return data;
}
