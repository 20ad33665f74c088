import countries from './iso-countries.ts';
import { NEED_IDS, TOPIC_IDS, type Status } from './ids.ts';
import { FIGURES, LITERAL_MPS, PLACEHOLDER, fillFigures, mpsFigures } from './figures.ts';
import type { OfferPolicy } from './schema.ts';

// What the shape of the files cannot say: references resolve, every SPEC topic and need is there, a need agrees with
// its topic (or says why it is narrower), and figures come from policy.yml. Written defensively against raw data,
// so these problems are reported together with shape problems, all at once. Each problem names its place in the
// data; the loader turns that into file, line and topic.

export interface Problem {
  path: (string | number)[];
  message: string;
  /** Reported, but the knowledge still loads (check-knowledge prints it with ⚠️). */
  warning?: true;
}

// Not confirmed sits between no and partly: a need may be narrowed from it to no, never raised above its topic.
const RANK: Record<Status, number> = { no: 0, unconfirmed: 0.5, partial: 1, yes: 2 };
const SETUPS = ['coexistence', 'apiOnly'] as const;

export function crossCheck(data: unknown): Problem[] {
  const problems: Problem[] = [];
  const issue = (path: (string | number)[], message: string) => problems.push({ path, message });
  const kb = (data ?? {}) as Record<string, any>;
  const list = (v: unknown): any[] => (Array.isArray(v) ? v : []);
  const sources = kb.sources && typeof kb.sources === 'object' ? (kb.sources as Record<string, unknown>) : {};

  // Topics: unique, every SPEC topic present, sources known.
  const topics = new Map<string, { t: any; i: number }>();
  list(kb.topics).forEach((t, i) => {
    if (!t || typeof t !== 'object') return;
    if (typeof t.id === 'string') {
      if (topics.has(t.id)) issue(['topics', i, 'id'], `topic "${t.id}" appears more than once`);
      else topics.set(t.id, { t, i });
    }
    list(t.sources).forEach((ref, j) => {
      if (typeof ref === 'string' && !(ref in sources)) {
        issue(['topics', i, 'sources', j], `unknown source "${ref}"; add it to the sources or use one of ${Object.keys(sources).join(', ')}`);
      }
    });
  });
  checkSituations(list(kb.topics), issue, (path, message) => problems.push({ path, message, warning: true }));
  checkVerifiers(list(kb.topics), issue, (path, message) => problems.push({ path, message, warning: true }));
  if (Array.isArray(kb.topics)) {
    const missing = TOPIC_IDS.filter((id) => !topics.has(id));
    for (const id of missing) issue(['topics'], `topic "${id}" is missing (every knowledge file must have it: the ids in src/knowledge/ids.ts are fixed, other code and saved data use them)`);
    // A new topic is welcome, but an id one typo away from a missing SPEC id is that topic, misspelt.
    for (const [id, { i }] of topics) {
      const meant = (TOPIC_IDS as readonly string[]).includes(id) ? undefined : missing.find((m) => editDistance(m, id) <= 2);
      if (meant) issue(['topics', i, 'id'], `"${id}" is not one of the fixed topic ids (src/knowledge/ids.ts); did you mean "${meant}"? (a new topic needs an id of its own)`);
    }
  }
  const knownTopic = (path: (string | number)[], id: unknown) => {
    if (typeof id === 'string' && Array.isArray(kb.topics) && !topics.has(id)) issue(path, `unknown topic "${id}"`);
  };

  // Needs: unique, every SPEC need present, and agreeing with their topic unless they say why they are narrower.
  const needSeen = new Set<string>();
  list(kb.needs).forEach((n, i) => {
    if (!n || typeof n.id !== 'string') return;
    if (needSeen.has(n.id)) issue(['needs', i, 'id'], `need "${n.id}" appears more than once`);
    needSeen.add(n.id);
    knownTopic(['needs', i, 'topic'], n.topic);
    const topic = topics.get(n.topic)?.t;
    if (!topic || !n.narrower || typeof n.narrower !== 'object') return;
    for (const setup of SETUPS) {
      const own = n.narrower[setup] as Status | undefined;
      const theirs = topic[setup]?.status as Status | undefined;
      if (!own || !theirs || !(own in RANK) || !(theirs in RANK)) continue;
      if (RANK[own] > RANK[theirs]) {
        issue(['needs', i, 'narrower', setup], `need "${n.id}" says ${setup} "${own}", but its topic "${n.topic}" says "${theirs}": a need cannot be met better than its topic. Fix the topic or the need`);
      } else if (own === theirs) {
        issue(['needs', i, 'narrower', setup], `need "${n.id}" says ${setup} "${own}", the same as its topic "${n.topic}": it is not narrower. Remove this line (the need follows its topic), or correct it`);
      }
    }
  });
  if (Array.isArray(kb.needs)) for (const id of NEED_IDS) if (!needSeen.has(id)) issue(['needs'], `need "${id}" is missing (every knowledge file must have it: the ids in src/knowledge/ids.ts are fixed, other code and saved data use them)`);

  for (const setup of SETUPS) {
    list(kb.caveats?.[setup]).forEach((c, i) => {
      knownTopic(['caveats', setup, i, 'topic'], c?.topic);
      if (typeof c?.need === 'string' && Array.isArray(kb.needs) && !needSeen.has(c.need)) issue(['caveats', setup, i, 'need'], `unknown need "${c.need}"`);
    });
  }
  knownTopic(['matching', 'overviewTopic'], kb.matching?.overviewTopic);
  list(kb.matching?.generalTopics).forEach((id, i) => knownTopic(['matching', 'generalTopics', i], id));
  for (const id of Object.keys(kb.matching?.phrasings ?? {})) knownTopic(['matching', 'phrasings', id], id);

  const d = kb.decision ?? {};
  if (typeof d.smallTeamAgents === 'number' && typeof d.largeTeamAgents === 'number' && d.smallTeamAgents >= d.largeTeamAgents) {
    issue(['decision', 'smallTeamAgents'], 'must be below largeTeamAgents');
  }
  const c = d.confidence ?? {};
  if (typeof c.mediumMargin === 'number' && typeof c.highMargin === 'number' && c.mediumMargin > c.highMargin) {
    issue(['decision', 'confidence', 'mediumMargin'], 'must not be above highMargin');
  }
  // The shape allows any two capitals; a code must also be a country, or answers would name "XX".
  for (const key of ['coexistence', 'metaSupport'] as const) {
    const field = key === 'coexistence' ? 'countries' : 'coexistenceUnavailable';
    list(kb.offerPolicy?.[key]?.[field]).forEach((code, i) => {
      if (typeof code === 'string' && /^[A-Z]{2}$/.test(code) && !countries.isValid(code)) issue(['offerPolicy', key, field, i], `"${code}" is not an ISO 3166-1 country code`);
    });
  }
  const api = kb.offerPolicy?.apiOnly ?? {};
  if (typeof api.maxMps === 'number' && typeof api.defaultMps === 'number' && api.maxMps < api.defaultMps) {
    issue(['offerPolicy', 'apiOnly', 'maxMps'], 'must not be below defaultMps');
  }

  checkFigures(kb, issue);
  return problems;
}

/**
 * Verifiers: none twice in a topic (refused). Topics naming no verifier get no reminder when they fall due: one
 * warning naming them all (the built-in data names none until the owners set them; README, "Verification").
 */
function checkVerifiers(topics: any[], issue: (path: (string | number)[], message: string) => void, warn: (path: (string | number)[], message: string) => void): void {
  const without: string[] = [];
  topics.forEach((t, i) => {
    if (!t || typeof t !== 'object') return;
    const verifiers: unknown[] = Array.isArray(t.verifiers) ? t.verifiers : [];
    const seen = new Set<string>();
    verifiers.forEach((v, j) => {
      if (typeof v !== 'string') return;
      if (seen.has(v.toLowerCase())) issue(['topics', i, 'verifiers', j], `verifier "${v}" is listed twice: remove one`);
      seen.add(v.toLowerCase());
    });
    if (verifiers.length === 0 && typeof t.id === 'string') without.push(t.id);
  });
  if (without.length > 0) {
    warn(['topics'], `no verifier named for ${without.length === topics.length ? 'any topic' : `${without.length} topic${without.length > 1 ? 's' : ''}`} (${without.join(', ')}): nobody is reminded when ${without.length > 1 ? 'they fall' : 'it falls'} due; add verifiers: [U0123ABCD, <Teams AAD object id>] to the topic file`);
  }
}

/** Situations: none twice in a topic (refused); one identical to another topic's is a warning (it teaches neither). */
function checkSituations(topics: any[], issue: (path: (string | number)[], message: string) => void, warn: (path: (string | number)[], message: string) => void): void {
  const key = (s: string) => s.trim().replace(/\s+/g, ' ').toLowerCase();
  const owner = new Map<string, string>();
  topics.forEach((t, i) => {
    if (!t || !Array.isArray(t.situations)) return;
    const seen = new Map<string, number>();
    t.situations.forEach((s: unknown, j: number) => {
      if (typeof s !== 'string' || s.trim() === '') return;
      const k = key(s);
      const first = seen.get(k);
      if (first !== undefined) return issue(['topics', i, 'situations', j], `"${s}" repeats situations[${first}]: remove one`);
      seen.set(k, j);
      const other = owner.get(k);
      if (other !== undefined && other !== t.id) warn(['topics', i, 'situations', j], `"${s}" is also a situation of topic ${other}: a line that fits two topics teaches neither; keep it in one`);
      else if (typeof t.id === 'string') owner.set(k, t.id);
    });
  });
}

/** Every text that may quote a figure, with its place in the data. A quoted claim of the help article is not ours. */
function* texts(kb: Record<string, any>): Generator<{ path: (string | number)[]; text: string; answer?: boolean }> {
  const str = (v: unknown): v is string => typeof v === 'string';
  for (const [i, t] of (Array.isArray(kb.topics) ? kb.topics : []).entries()) {
    for (const setup of SETUPS) {
      const side = t?.[setup];
      if (str(side?.answer)) yield { path: ['topics', i, setup, 'answer'], text: side.answer, answer: true };
      if (str(side?.details)) yield { path: ['topics', i, setup, 'details'], text: side.details };
      if (str(side?.ifOffered?.answer)) yield { path: ['topics', i, setup, 'ifOffered', 'answer'], text: side.ifOffered.answer, answer: true };
      for (const [j, e] of (Array.isArray(side?.exceptions) ? side.exceptions : []).entries()) {
        if (str(e?.answer)) yield { path: ['topics', i, setup, 'exceptions', j, 'answer'], text: e.answer, answer: true };
      }
    }
    if (str(t?.articleSays?.correction)) yield { path: ['topics', i, 'articleSays', 'correction'], text: t.articleSays.correction };
  }
  for (const setup of SETUPS) {
    for (const [i, c] of (Array.isArray(kb.caveats?.[setup]) ? kb.caveats[setup] : []).entries()) if (str(c?.text)) yield { path: ['caveats', setup, i, 'text'], text: c.text };
  }
  for (const [i, n] of (Array.isArray(kb.needs) ? kb.needs : []).entries()) {
    for (const key of ['part', 'why'] as const) if (str(n?.apiOnlyGap?.[key])) yield { path: ['needs', i, 'apiOnlyGap', key], text: n.apiOnlyGap[key] };
    if (str(n?.narrower?.why)) yield { path: ['needs', i, 'narrower', 'why'], text: n.narrower.why };
  }
}

function checkFigures(kb: Record<string, any>, issue: (path: (string | number)[], message: string) => void): void {
  const policy = kb.offerPolicy as OfferPolicy | undefined;
  const valid =
    policy && typeof policy.coexistence?.mps === 'number' && typeof policy.apiOnly?.defaultMps === 'number' && typeof policy.apiOnly?.maxMps === 'number';
  if (!valid) return; // the shape check reports the policy itself
  const figures = mpsFigures(policy);
  const known = Object.entries(figures)
    .map(([name, n]) => `${name} ${n.toLocaleString('en-US')}`)
    .join(', ');
  const conditions = !!policy.apiOnly.maxMpsConditions?.length;

  for (const { path, text, answer } of texts(kb)) {
    for (const m of text.matchAll(PLACEHOLDER)) {
      const name = m[1]!;
      if (!(name in FIGURES)) issue(path, `unknown placeholder {{${name}}}; the figures are ${Object.keys(FIGURES).map((f) => `{{${f}}}`).join(', ')}`);
      else if (FIGURES[name]!(policy) === undefined) issue(path, `{{${name}}} is not stated in the offer policy; add it there or remove the placeholder`);
    }
    for (const m of text.matchAll(LITERAL_MPS)) {
      for (const written of [m[1], m[2]]) {
        if (written === undefined) continue;
        const n = Number(written.replace(/,/g, ''));
        const same = Object.entries(figures).find(([, f]) => f === n);
        if (same) issue(path, `"${m[0]}" retypes a figure of the offer policy: write {{${same[0]}}} so it follows the policy`);
        else issue(path, `"${m[0]}" disagrees with the offer policy (${known}): write the placeholder of the figure you mean, such as {{coexistence.mps}}`);
      }
    }
    if (conditions && /\{\{\s*apiOnly\.maxMps\s*\}\}/.test(text) && !/\{\{\s*apiOnly\.maxMpsConditions\s*\}\}/.test(text)) {
      issue(path, '{{apiOnly.maxMps}} is only reached under conditions: state {{apiOnly.maxMpsConditions}} in the same text');
    }
    if (answer && fillFigures(text, policy).length > 300) issue(path, 'with its figures filled in, this answer is over 300 characters: shorten it');
  }

  // The throughput topic is where the figures are answered directly: it must quote each of them.
  const topics: any[] = Array.isArray(kb.topics) ? kb.topics : [];
  const i = topics.findIndex((t) => t?.id === 'throughput');
  if (i >= 0) {
    const wants: [string, string][] = [['coexistence', 'coexistence.mps'], ['apiOnly', 'apiOnly.defaultMps'], ['apiOnly', 'apiOnly.maxMps']];
    for (const [setup, figure] of wants) {
      const text = topics[i]?.[setup]?.answer;
      if (typeof text === 'string' && !text.includes(`{{${figure}}}`)) issue(['topics', i, setup, 'answer'], `the throughput answer must quote {{${figure}}}`);
    }
  }
}


/** Levenshtein distance, for "did you mean". */
function editDistance(a: string, b: string): number {
  let row = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    const next = [i];
    for (let j = 1; j <= b.length; j++) next[j] = Math.min(row[j]! + 1, next[j - 1]! + 1, row[j - 1]! + (a[i - 1] === b[j - 1] ? 0 : 1));
    row = next;
  }
  return row[b.length]!;
}
