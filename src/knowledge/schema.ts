import { z } from 'zod';
import { NEED_IDS, STATUSES, TOPIC_IDS, SETUP_IDS } from './ids.ts';

// The shape of the knowledge file. Every object is strict so that a typo in a key ("anwser") is reported instead
// of silently ignored. Cross-references (source ids, topic ids) are checked in `knowledgeSchema`'s refinement.

const status = z.enum(STATUSES);
const topicId = z.enum(TOPIC_IDS);
const needId = z.enum(NEED_IDS);
const text = z.string().trim().min(1, 'must not be empty');
const isoDate = z.iso.date('must be a date written YYYY-MM-DD');
const countryCode = z
  .string()
  .regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as IN');

const capabilities = z.strictObject({
  callingApi: z.boolean(),
  groupsApi: z.boolean(),
});
export type Capability = keyof z.infer<typeof capabilities>;
const capability = z.enum(['callingApi', 'groupsApi']);

const setupFacts = z.strictObject({
  status,
  answer: text.max(200, 'keep the one-line answer under 200 characters'),
  details: text,
  ifOffered: z
    .strictObject({ capability, status, answer: text.max(200) })
    .optional(),
});

const articleNote = z.strictObject({
  verdict: z.enum(['outdated', 'incomplete', 'unverified', 'contradicted']),
  claim: text,
  correction: text,
});

const topic = z.strictObject({
  id: topicId,
  title: text.max(60),
  question: text,
  aliases: z.array(text).min(1, 'give at least one phrasing'),
  coexistence: setupFacts,
  apiOnly: setupFacts,
  articleSays: articleNote.optional(),
  sources: z.array(text).min(1, 'cite at least one source'),
  lastVerified: isoDate,
});

const need = z.strictObject({
  id: needId,
  label: text.max(75, 'labels show in forms: keep them under 75 characters'),
  group: text,
  topic: topicId,
  weight: z.number().int().min(1).max(5),
  coexistence: status,
  apiOnly: status,
  unlessOffered: capability.optional(),
  /** A part of this need that API-only never gives, whatever we offer (video calls, large groups). */
  apiOnlyGap: z.strictObject({ part: text.max(80), why: text.max(200) }).optional(),
});

const caveat = z.strictObject({ text, topic: topicId, need: needId.optional(), unlessOffered: capability.optional() });

const verdict = z.enum(['current', 'outdated', 'incomplete', 'unverified', 'contradicted']);
const requirementsLike = z.record(z.string(), z.unknown());

const helpArticle = z.strictObject({
  overview: z.array(z.strictObject({ says: text, topic: topicId, verdict })),
  comparison: z.array(
    z.strictObject({
      row: text,
      topic: topicId,
      coexistence: status.optional(),
      apiOnly: status.optional(),
      verdict,
    }),
  ),
  chooseCoexistence: z.array(
    z.strictObject({ item: z.number().int().min(1), says: text, need: needId.optional(), topic: topicId, verdict }),
  ),
  chooseApiOnly: z.array(
    z.strictObject({ item: z.number().int().min(1), says: text, need: needId.optional(), topic: topicId, verdict }),
  ),
  rightSetup: z.array(z.strictObject({ want: text, setup: z.enum(SETUP_IDS), needs: z.array(needId).min(1) })),
  useCases: z.array(
    z.strictObject({ name: text, setup: z.enum(SETUP_IDS), summary: text, requirements: requirementsLike }),
  ),
});

const source = z.strictObject({ title: text, url: z.url({ protocol: /^https?$/, error: 'invalid URL' }) });

export const knowledgeSchema = z
  .strictObject({
    version: z.literal(1),
    reviewEveryDays: z.number().int().min(1),
    offerPolicy: z.strictObject({
      coexistence: z.strictObject({ countries: z.array(countryCode), mps: z.number().positive() }),
      apiOnly: z.strictObject({
        defaultMps: z.number().positive(),
        maxMps: z.number().positive(),
        /** Meta raises a number from defaultMps to maxMps only when all of these hold. */
        maxMpsConditions: z.array(text).min(1).optional(),
      }),
      capabilities,
      metaSupport: z.strictObject({ coexistenceUnavailable: z.array(countryCode), summary: text }),
    }),
    decision: z.strictObject({
      largeTeamAgents: z.number().int().min(1),
      smallTeamAgents: z.number().int().min(0),
      highVolumeDailyMessages: z.number().int().min(1),
      signalWeights: z.strictObject({
        largeTeam: z.number().min(0),
        smallTeam: z.number().min(0),
        highVolume: z.number().min(0),
      }),
      confidence: z.strictObject({ highMargin: z.number().min(0), mediumMargin: z.number().min(0) }),
    }),
    needs: z.array(need),
    caveats: z.strictObject({ coexistence: z.array(caveat), apiOnly: z.array(caveat) }),
    matching: z.strictObject({
      synonyms: z.record(z.string(), text),
      stopwords: z.array(z.string()),
      examples: z.array(text).min(1),
      overviewTopic: topicId,
      domainWords: z.array(z.string()),
    }),
    topics: z.array(topic),
    helpArticle,
    sources: z.record(z.string().regex(/^[A-Z0-9_]+$/, 'source ids are upper-case letters, digits and _'), source),
  });

/**
 * Cross-references and consistency rules the shape alone cannot express. Written defensively against raw data,
 * so that these problems are reported together with shape problems, all at once.
 */
export function crossCheck(data: unknown): { path: (string | number)[]; message: string }[] {
  const problems: { path: (string | number)[]; message: string }[] = [];
  const issue = (path: (string | number)[], message: string) => problems.push({ path, message });
  const kb = (data ?? {}) as Record<string, any>;
  const sources = kb.sources && typeof kb.sources === 'object' ? (kb.sources as Record<string, unknown>) : {};
  const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);

  const seen = new Set<string>();
  list(kb.topics).forEach((t, i) => {
    if (!t || typeof t !== 'object') return;
    if (typeof t.id === 'string') {
      if (seen.has(t.id)) issue(['topics', i, 'id'], `topic "${t.id}" appears more than once`);
      seen.add(t.id);
    }
    list(t.sources).forEach((ref, j) => {
      if (typeof ref === 'string' && !(ref in sources)) {
        issue(['topics', i, 'sources', j], `unknown source "${ref}"; add it under sources: or use one of ${Object.keys(sources).join(', ')}`);
      }
    });
  });
  if (Array.isArray(kb.topics)) for (const id of TOPIC_IDS) if (!seen.has(id)) issue(['topics'], `topic "${id}" is missing`);

  const needSeen = new Set<string>();
  list(kb.needs).forEach((n, i) => {
    if (!n || typeof n.id !== 'string') return;
    if (needSeen.has(n.id)) issue(['needs', i, 'id'], `need "${n.id}" appears more than once`);
    needSeen.add(n.id);
  });
  if (Array.isArray(kb.needs)) for (const id of NEED_IDS) if (!needSeen.has(id)) issue(['needs'], `need "${id}" is missing`);

  const d = kb.decision ?? {};
  if (typeof d.smallTeamAgents === 'number' && typeof d.largeTeamAgents === 'number' && d.smallTeamAgents >= d.largeTeamAgents) {
    issue(['decision', 'smallTeamAgents'], 'must be below largeTeamAgents');
  }
  const c = d.confidence ?? {};
  if (typeof c.mediumMargin === 'number' && typeof c.highMargin === 'number' && c.mediumMargin > c.highMargin) {
    issue(['decision', 'confidence', 'mediumMargin'], 'must not be above highMargin');
  }
  // The MPS figures live in offerPolicy; the throughput topic's wording must say the same numbers, so a policy
  // change without a wording change is caught here rather than shown to a customer.
  const policy = kb.offerPolicy ?? {};
  const throughputIndex = list(kb.topics).findIndex((t) => t?.id === 'throughput');
  const throughput = list(kb.topics)[throughputIndex];
  const mentions = (text: unknown, n: unknown) => typeof text !== 'string' || typeof n !== 'number' || text.includes(n.toLocaleString('en-US'));
  if (throughput) {
    if (!mentions(throughput.coexistence?.answer, policy.coexistence?.mps)) {
      issue(['topics', throughputIndex, 'coexistence', 'answer'], `must state offerPolicy.coexistence.mps (${policy.coexistence?.mps})`);
    }
    for (const key of ['defaultMps', 'maxMps'] as const) {
      if (!mentions(throughput.apiOnly?.answer, policy.apiOnly?.[key])) {
        issue(['topics', throughputIndex, 'apiOnly', 'answer'], `must state offerPolicy.apiOnly.${key} (${Number(policy.apiOnly?.[key]).toLocaleString('en-US')})`);
      }
    }
  }

  list(kb.caveats?.coexistence).forEach((c, i) => {
    if (c?.topic === 'throughput' && !mentions(c.text, policy.coexistence?.mps)) {
      issue(['caveats', 'coexistence', i, 'text'], `must state offerPolicy.coexistence.mps (${policy.coexistence?.mps})`);
    }
  });

  const api = kb.offerPolicy?.apiOnly ?? {};
  if (typeof api.maxMps === 'number' && typeof api.defaultMps === 'number' && api.maxMps < api.defaultMps) {
    issue(['offerPolicy', 'apiOnly', 'maxMps'], 'must not be below defaultMps');
  }
  return problems;
}

export type Knowledge = z.infer<typeof knowledgeSchema>;
export type Topic = Knowledge['topics'][number];
export type SetupFacts = Topic['coexistence'];
export type Need = Knowledge['needs'][number];
export type Caveat = Knowledge['caveats']['coexistence'][number];
export type Source = Knowledge['sources'][string];
export type OfferPolicy = Knowledge['offerPolicy'];
