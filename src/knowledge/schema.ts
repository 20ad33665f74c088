import { z } from 'zod';
import { ALL_NEED_IDS, STATUSES } from './ids.ts';

// The shape of each knowledge file. Every object is strict so that a typo in a key ("anwser") is reported instead
// of silently ignored. What the shape alone cannot say (references, figures, needs against topics) is checked in
// checks.ts. The JSON Schemas in json-schema/ are generated from these (npm run knowledge:schema), so an editor
// checks a file while it is typed.

const status = z.enum(STATUSES);
const needId = z.enum(ALL_NEED_IDS);
const text = z.string().trim().min(1, 'must not be empty');
const isoDate = z.iso.date('must be a date written YYYY-MM-DD');
const countryCode = z.string().regex(/^[A-Z]{2}$/, 'must be an upper-case ISO 3166-1 alpha-2 code such as IN');
/** Topic ids: the SPEC's ids must all exist; a new topic is a new file whose id follows the same pattern. */
export const topicId = z
  .string()
  .regex(/^[a-z0-9]+(?:-[a-z0-9]+)*$/, 'topic ids are lower-case words joined by "-", such as group-chats');
const sourceId = z.string().regex(/^[A-Z0-9_]+$/, 'source ids are upper-case letters, digits and _');
/** A Slack user id (U…/W…) or a Teams AAD object id (a GUID): who verifies a topic. */
export const SLACK_USER_ID = /^[UW][A-Z0-9]{2,20}$/;
export const AAD_OBJECT_ID = /^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$/;
const verifierId = z
  .string()
  .refine((v) => SLACK_USER_ID.test(v) || AAD_OBJECT_ID.test(v), 'a verifier is a Slack user id (U0123ABCD, from the person\'s Slack profile: Copy member ID) or a Teams AAD object id (a GUID, from Entra ID)');
/** A review interval: at least a week (a reminder a day would be noise), at most two years. */
export const REVIEW_DAYS_MIN = 7;
export const REVIEW_DAYS_MAX = 730;
const reviewInterval = z
  .number()
  .int('a number of days')
  .min(REVIEW_DAYS_MIN, `review at most every ${REVIEW_DAYS_MAX} days and at least every ${REVIEW_DAYS_MIN}`)
  .max(REVIEW_DAYS_MAX, `review at most every ${REVIEW_DAYS_MAX} days and at least every ${REVIEW_DAYS_MIN}`);

export const CAPABILITIES = ['callingApi', 'groupsApi'] as const;
/** The policy's MPS figures, by placeholder name. */
export const MPS_FIGURES = ['coexistence.mps', 'apiOnly.defaultMps', 'apiOnly.maxMps'] as const;
const capability = z.enum(CAPABILITIES);
export type Capability = (typeof CAPABILITIES)[number];

// ---- policy.yml: our offer, and the platform figures every text quotes through {{placeholders}}.
export const policySchema = z.strictObject({
  coexistence: z.strictObject({
    countries: z.array(countryCode).describe('ISO codes of the countries where WE offer Co-Existence: {{coexistence.countries}}'),
    mps: z.number().positive().describe("Meta's fixed Co-Existence throughput: {{coexistence.mps}}"),
  }),
  apiOnly: z.strictObject({
    defaultMps: z.number().positive().describe("Meta's default Cloud API throughput: {{apiOnly.defaultMps}}"),
    maxMps: z.number().positive().describe("Meta's upgraded throughput: {{apiOnly.maxMps}}"),
    maxMpsConditions: z
      .array(text)
      .min(1)
      .optional()
      .describe('Meta upgrades to maxMps only when all of these hold: {{apiOnly.maxMpsConditions}}'),
  }),
  capabilities: z
    .strictObject({ callingApi: z.boolean(), groupsApi: z.boolean() })
    .describe("Meta platform features we offer on API-only numbers; a topic's ifOffered applies when true"),
  metaSupport: z.strictObject({ coexistenceUnavailable: z.array(countryCode), summary: text }),
});

// ---- decision.yml: how recommend() weighs signals (product judgement).
export const decisionSchema = z.strictObject({
  largeTeamAgents: z.number().int().min(1),
  smallTeamAgents: z.number().int().min(0),
  highVolumeDailyMessages: z.number().int().min(1),
  signalWeights: z.strictObject({ largeTeam: z.number().min(0), smallTeam: z.number().min(0), highVolume: z.number().min(0) }),
  confidence: z.strictObject({ highMargin: z.number().min(0), mediumMargin: z.number().min(0) }),
});

// ---- topics/<id>.yml: one question answered for both setups.
/** A situation is one thing staff see happen, in a line. */
export const SITUATION_MAX_CHARS = 120;
const setupFacts = z.strictObject({
  status,
  answer: text.max(300, 'keep the one-line answer under 300 characters'),
  details: text,
  ifOffered: z
    .strictObject({ capability, status, answer: text.max(300) })
    .optional()
    .describe('what this setup gives once that capability is switched on in policy.yml'),
  exceptions: z
    .array(
      z.strictObject({
        when: z.array(text).min(1).describe('words or phrases a question names this case by ("windows", "wear os")'),
        status,
        answer: text.max(300, 'keep the one-line answer under 300 characters'),
      }),
    )
    .min(1)
    .optional()
    .describe(
      "cases the status does not cover (\"except WhatsApp for Windows\"): a question that names one gets this status and answer as its headline, the exception first",
    ),
});

export const topicSchema = z.strictObject({
  id: topicId,
  title: text.max(60),
  question: text,
  coexistence: setupFacts,
  apiOnly: setupFacts,
  articleSays: z
    .strictObject({
      verdict: z.enum(['outdated', 'incomplete', 'unverified', 'contradicted']),
      claim: text,
      correction: text,
      figures: z
        .partialRecord(z.enum(MPS_FIGURES), z.number().positive())
        .optional()
        .describe(
          "the policy figures the article states, by placeholder name ({ coexistence.mps: 20 }): the note says each is right while the policy agrees, outdated (and the verdict becomes outdated) once it differs",
        ),
    })
    .optional()
    .describe('where the provider help article says otherwise'),
  situations: z
    .array(text.max(SITUATION_MAX_CHARS, `keep a situation under ${SITUATION_MAX_CHARS} characters: one thing staff see happen`))
    .min(1, 'list at least one situation, or leave the key out')
    .optional()
    .describe(
      "what staff see happen that this topic explains, in their words (\"the app was reinstalled on a new phone\"): both matchers learn from them",
    ),
  sources: z.array(sourceId).min(1, 'cite at least one source'),
  lastVerified: isoDate,
  verifiers: z
    .array(verifierId)
    .optional()
    .describe(
      'who checks this topic against its sources when it falls due (a Slack DM or a Teams message with Still correct / Needs a change): Slack user ids (U0123ABCD) and Teams AAD object ids (GUIDs)',
    ),
  reviewEveryDays: reviewInterval
    .optional()
    .describe("this topic's review interval in days; default: knowledge.yml's reviewEveryDays. Past it, the topic is marked \"may be out of date\" everywhere"),
});

// ---- needs.yml: what a customer can need. Support comes from the need's topic, unless the need says it is narrower.
export const needSchema = z.strictObject({
  id: needId,
  label: text.max(75, 'labels show in forms: keep them under 75 characters'),
  group: text,
  topic: topicId,
  weight: z.number().int().min(1).max(5),
  narrower: z
    .strictObject({ coexistence: status.optional(), apiOnly: status.optional(), why: text })
    .refine((n) => n.coexistence !== undefined || n.apiOnly !== undefined, 'name the setup (coexistence or apiOnly) the need is narrower for')
    .optional()
    .describe("a need deliberately narrower than its topic: its own status for that setup, and why"),
  apiOnlyGap: z
    .strictObject({ part: text.max(80), why: text.max(200) })
    .optional()
    .describe('a part of this need API-only never gives, whatever we offer'),
});
export const needsSchema = z.array(needSchema);

// ---- caveats.yml: what changes for the customer on moving to a setup.
const caveat = z.strictObject({ text, topic: topicId, need: needId.optional(), unlessOffered: capability.optional() });
export const caveatsSchema = z.strictObject({ coexistence: z.array(caveat), apiOnly: z.array(caveat) });

// ---- matching.yml: the vocabulary of free-text matching (developers).
export const matchingSchema = z.strictObject({
  synonyms: z.record(z.string(), text),
  stopwords: z.array(z.string()),
  examples: z.array(text).min(1),
  overviewTopic: topicId,
  generalTopics: z
    .array(topicId)
    .optional()
    .describe('topics about the setup as a whole, which most questions mention in passing ("same number on the app and the API"): one of them at the top yields to a close, more specific topic'),
  domainWords: z.array(z.string()),
  phrasings: z.record(topicId, z.array(text).min(1)).describe('ways people ask about each topic, by topic id'),
});

// ---- sources.yml: every cited source once, by id.
export const sourcesSchema = z.record(sourceId, z.strictObject({ title: text, url: z.url({ protocol: /^https?$/, error: 'invalid URL' }) }));

/** Every part of the knowledge, in the order a reader meets them. */
export const PARTS = {
  offerPolicy: policySchema,
  decision: decisionSchema,
  needs: needsSchema,
  caveats: caveatsSchema,
  matching: matchingSchema,
  topics: z.array(topicSchema),
  sources: sourcesSchema,
} as const;
export type PartName = keyof typeof PARTS;

const header = { version: z.literal(2), reviewEveryDays: reviewInterval.describe('the default review interval of a topic, in days (a topic may set its own)') };

/** The knowledge with every part read: what the checks and the resolver work on. */
export const knowledgeDataSchema = z.strictObject({ ...header, ...PARTS });
export type KnowledgeData = z.infer<typeof knowledgeDataSchema>;

/**
 * knowledge.yml itself: each part inline, or the name of its file (`policy.yml`); `topics` may name a folder
 * (`topics/`) holding one file per topic. Used for the editor's JSON Schema; the loader reads the files first.
 */
const fileName = z.string().regex(/^(?!\/)(?!.*\.\.)[\w./-]+\.ya?ml$/, 'a .yml file beside knowledge.yml');
const folderName = z.string().regex(/^(?!\/)(?!.*\.\.)[\w./-]+\/$/, 'a folder beside knowledge.yml, ending in /');
export const knowledgeIndexSchema = z.strictObject({
  ...header,
  offerPolicy: z.union([fileName, policySchema]),
  decision: z.union([fileName, decisionSchema]),
  needs: z.union([fileName, needsSchema]),
  caveats: z.union([fileName, caveatsSchema]),
  matching: z.union([fileName, matchingSchema]),
  topics: z.union([folderName, z.array(topicSchema)]),
  sources: z.union([fileName, sourcesSchema]),
});

/** The schemas an editor checks the files against: file name in json-schema/ → schema. */
export const EDITOR_SCHEMAS = {
  'knowledge.schema.json': knowledgeIndexSchema,
  'policy.schema.json': policySchema,
  'decision.schema.json': decisionSchema,
  'needs.schema.json': needsSchema,
  'caveats.schema.json': caveatsSchema,
  'matching.schema.json': matchingSchema,
  'topic.schema.json': topicSchema,
  'sources.schema.json': sourcesSchema,
} as const;

// ---- The knowledge as the advisor reads it: files read, figures filled in, need support resolved.
export type OfferPolicy = KnowledgeData['offerPolicy'];
export type Topic = KnowledgeData['topics'][number];
export type SetupFacts = Topic['coexistence'];
export type Source = KnowledgeData['sources'][string];
export type Caveat = KnowledgeData['caveats']['coexistence'][number];
export type Need = KnowledgeData['needs'][number] & {
  /** Whether the setup meets the need under the default offer: the topic's status, or the need's narrower one. */
  coexistence: (typeof STATUSES)[number];
  apiOnly: (typeof STATUSES)[number];
};
export type Knowledge = Omit<KnowledgeData, 'needs'> & { needs: Need[] };
