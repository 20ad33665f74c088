import { createHash } from 'node:crypto';
import type { Knowledge } from '../../src/index.ts';

// The knowledge a recommendation was made under, as one short string stored with it: the newest lastVerified
// date of its topics and a hash of the whole knowledge ("2026-11-25.3f9a2c1d"). Two deployments with the same
// knowledge give the same string; any edit changes it.

const versions = new WeakMap<Knowledge, string>();

export function knowledgeVersion(knowledge: Knowledge): string {
  let version = versions.get(knowledge);
  if (version === undefined) {
    const newest = knowledge.topics.reduce((max, t) => (t.lastVerified > max ? t.lastVerified : max), '');
    const hash = createHash('sha256').update(JSON.stringify(knowledge)).digest('hex').slice(0, 8);
    version = `${newest || 'undated'}.${hash}`;
    versions.set(knowledge, version);
  }
  return version;
}
