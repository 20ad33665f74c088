import type { Knowledge, Source } from '../knowledge/schema.ts';
import { allTopicFacts, type TopicFacts } from './facts.ts';

export interface Comparison {
  rows: TopicFacts[];
  /** Every source cited by any row, once each, in first-cited order. */
  sources: Source[];
  /** The oldest lastVerified among the rows: the comparison is as fresh as its stalest row. */
  lastVerified: string;
}

export function compare(knowledge: Knowledge): Comparison {
  const rows = allTopicFacts(knowledge);
  const seen = new Map<string, Source>();
  for (const row of rows) for (const s of row.sources) if (!seen.has(s.url)) seen.set(s.url, s);
  const lastVerified = rows.map((r) => r.lastVerified).sort()[0] ?? '';
  return { rows, sources: [...seen.values()], lastVerified };
}
