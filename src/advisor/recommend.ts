import type { Knowledge, Need } from '../knowledge/schema.ts';
import { SETUP_NAMES, type NeedId, type SetupId, type Status, type TopicId } from '../knowledge/ids.ts';
import { conditionList } from '../knowledge/figures.ts';
import { countryName } from './countries.ts';
import { findTopic, maxMpsWording, needSupport, otherSetup, topicFacts } from './facts.ts';
import type { Requirements } from './requirements.ts';

// How a recommendation is made (also in README "How recommend decides"):
// 1. Hard facts first. A peak above Co-Existence's fixed MPS, or a country outside our Co-Existence offer, rules
//    Co-Existence out, whatever else the customer wants.
// 2. Otherwise each need scores its weight for every setup that meets it (half for "partial"), and the team-size
//    and volume signals add their weights. The higher score wins; a tie goes to Co-Existence, because it keeps the
//    phone app and can be undone by disconnecting.
// 3. Confidence: a hard-fact decision is high, or medium when it costs the customer something they asked for.
//    A score decision is high when the lead is at least `decision.confidence.highMargin` and nothing conflicts,
//    medium when the lead is at least `mediumMargin`, low otherwise (a near tie: the salesperson should ask more).
// Every number and text used comes from the knowledge file; the same input always gives the same output.

export type Confidence = 'high' | 'medium' | 'low';

export interface Reason {
  text: string;
  kind: 'hard-fact' | 'need' | 'signal' | 'default';
  need?: NeedId;
  topic?: TopicId;
}

export interface Finding {
  text: string;
  need?: NeedId;
  topic?: TopicId;
}

export interface Alternative {
  text: string;
  setups: SetupId[];
}

export interface Recommendation {
  setup: SetupId;
  confidence: Confidence;
  /** One line: the verdict in words. */
  summary: string;
  reasons: Reason[];
  conflicts: Finding[];
  unmet: Finding[];
  caveats: Finding[];
  alternative?: Alternative;
  /** Co-Existence ruled out by a hard fact, with why. */
  ruledOut: Finding[];
  scores: Record<SetupId, number>;
  /** The comparison rows that matter for this customer, most relevant first. */
  relevantTopics: TopicId[];
  requirements: Requirements;
}

// A need scores nothing where it is not confirmed: no source says the setup gives it, none says it does not.
const POINTS: Record<Status, number> = { yes: 1, partial: 0.5, no: 0, unconfirmed: 0 };
/** The other setup gives it, as far as any source says (not confirmed is no promise). */
const gives = (s: Status) => s === 'yes' || s === 'partial';

function formatNumber(n: number): string {
  return n.toLocaleString('en-US');
}

/**
 * Need labels as a list, exactly as written ("CRM integration", "Google Drive / iCloud chat backups"): a label is a
 * name, never re-cased, so sentences place the list after a colon ("these needs: …") where a capital reads right.
 */
function listLabels(needs: Need[]): string {
  const labels = needs.map((n) => n.label);
  if (labels.length <= 1) return labels.join('');
  return `${labels.slice(0, -1).join(', ')} and ${labels.at(-1)}`;
}

/** One setup does not give a need and the other is only not confirmed to: unmet, as far as any source says. */
function unconfirmedOnly(a: Status, b: Status): boolean {
  return (a === 'no' && b === 'unconfirmed') || (a === 'unconfirmed' && b === 'no');
}

/** The customer's peak is above API-only's default: only then do the maximum and its conditions matter to them. */
function aboveDefault(q: Requirements, knowledge: Knowledge): boolean {
  return q.peakMps !== undefined && q.peakMps > knowledge.offerPolicy.apiOnly.defaultMps;
}

/** API-only's throughput for a customer at or under its default: the default, against their peak when they gave one. */
function defaultMpsWording(q: Requirements, knowledge: Knowledge): string {
  const n = formatNumber(knowledge.offerPolicy.apiOnly.defaultMps);
  return q.peakMps === undefined
    ? `${n} messages per second by default.`
    : `${n} messages per second by default, above the customer's peak of ${formatNumber(q.peakMps)}.`;
}

/** One customer's case, as every step reads it: their requirements, the knowledge, and what follows at once. */
interface Case {
  requirements: Requirements;
  knowledge: Knowledge;
  /** The customer's needs, in the order given. */
  needs: Need[];
  /** The same needs, heaviest first (ties in the knowledge's order): the order reasons and costs are told in. */
  ordered: Need[];
  coexMps: number;
  countryOffered: boolean;
  /** A topic's one-line answer for a setup, with the offer policy applied. */
  answerOf(topic: TopicId, setup: SetupId): string;
}

function caseOf(requirements: Requirements, knowledge: Knowledge): Case {
  const needs = requirements.needs.map((id) => knowledge.needs.find((n) => n.id === id)).filter((n): n is Need => n !== undefined);
  return {
    requirements,
    knowledge,
    needs,
    ordered: [...needs].sort((a, b) => b.weight - a.weight || knowledge.needs.indexOf(a) - knowledge.needs.indexOf(b)),
    coexMps: knowledge.offerPolicy.coexistence.mps,
    countryOffered: knowledge.offerPolicy.coexistence.countries.includes(requirements.country),
    answerOf(topic, setup) {
      // API-only's maximum and its conditions bear on a customer only when their peak is above the default.
      if (topic === 'throughput' && setup === 'api-only' && !aboveDefault(requirements, knowledge)) return defaultMpsWording(requirements, knowledge);
      const t = findTopic(knowledge, topic);
      if (!t) return '';
      const facts = topicFacts(knowledge, t);
      return setup === 'coexistence' ? facts.coexistence.answer : facts.apiOnly.answer;
    },
  };
}

/** 1. Hard facts: a peak above Co-Existence's fixed MPS, a country outside our offer. */
function ruleOut(c: Case): Finding[] {
  const { requirements: q, knowledge } = c;
  const { offerPolicy } = knowledge;
  const ruledOut: Finding[] = [];
  if (q.peakMps !== undefined && q.peakMps > c.coexMps) {
    ruledOut.push({
      topic: 'throughput',
      text: `Peak of ${formatNumber(q.peakMps)} messages per second is above Co-Existence's fixed ${c.coexMps}; ${
        !aboveDefault(q, knowledge)
          ? `API-only handles ${formatNumber(offerPolicy.apiOnly.defaultMps)} by default`
          : offerPolicy.apiOnly.maxMpsConditions?.length
            ? `API-only starts at ${formatNumber(offerPolicy.apiOnly.defaultMps)}, and goes higher only under Meta's conditions (see What changes)`
            : maxMpsWording(knowledge)
      }.`,
    });
  }
  if (!c.countryOffered) {
    const metaSupports = !offerPolicy.metaSupport.coexistenceUnavailable.includes(q.country);
    ruledOut.push({
      topic: 'availability',
      text:
        `We offer Co-Existence only for numbers in ${offerPolicy.coexistence.countries.map(countryName).join(', ') || 'no country yet'}; ` +
        `this number is in ${countryName(q.country)} (${q.country}).` +
        (metaSupports ? ` Meta itself supports Co-Existence there, so this changes if our offer widens.` : ''),
    });
  }
  return ruledOut;
}

interface Scored {
  scores: Record<SetupId, number>;
  /** The team-size and volume signals, by the setup they favour. */
  signals: Record<SetupId, Reason[]>;
}

/** 2. Each need scores its weight for every setup that meets it (half for partial); team size and volume add signals. */
function score(c: Case): Scored {
  const { requirements: q, knowledge } = c;
  const { decision } = knowledge;
  const scores: Record<SetupId, number> = { coexistence: 0, 'api-only': 0 };
  for (const need of c.needs) {
    scores.coexistence += POINTS[needSupport(knowledge, need, 'coexistence')] * need.weight;
    scores['api-only'] += POINTS[needSupport(knowledge, need, 'api-only')] * need.weight;
  }
  const signals: Record<SetupId, Reason[]> = { coexistence: [], 'api-only': [] };
  const signal = (setup: SetupId, weight: number, text: string) => {
    scores[setup] += weight;
    signals[setup].push({ kind: 'signal', text, topic: 'best-suited' });
  };
  if (q.agents !== undefined) {
    if (q.agents >= decision.largeTeamAgents) {
      signal('api-only', decision.signalWeights.largeTeam, `${formatNumber(q.agents)} agents work best from a shared dashboard rather than one phone.`);
    } else if (q.agents <= decision.smallTeamAgents) {
      signal('coexistence', decision.signalWeights.smallTeam, `A small team (${formatNumber(q.agents)} ${q.agents === 1 ? 'agent' : 'agents'}) can keep replying from the Business App.`);
    }
  }
  if (q.dailyMessages !== undefined && q.dailyMessages >= decision.highVolumeDailyMessages) {
    signal('api-only', decision.signalWeights.highVolume, `${formatNumber(q.dailyMessages)} messages a day is high-volume messaging, where API-only is built to scale.`);
  }
  return { scores, signals };
}

/** A hard fact decides; otherwise the higher score, and a tie goes to Co-Existence. */
function decide(ruledOut: Finding[], { scores }: Scored): SetupId {
  if (ruledOut.length > 0) return 'api-only';
  return scores['api-only'] > scores.coexistence ? 'api-only' : 'coexistence';
}

/** 3. Reasons: hard facts, then needs the chosen setup meets better (heaviest first), then signals, then shared needs. */
function reasonsFor(c: Case, setup: SetupId, ruledOut: Finding[], { scores, signals }: Scored): Reason[] {
  const other = otherSetup(setup);
  const reasons: Reason[] = ruledOut.map((f) => ({ kind: 'hard-fact' as const, text: f.text, ...(f.topic ? { topic: f.topic } : {}) }));
  const shared: Need[] = [];
  for (const need of c.ordered) {
    const mine = POINTS[needSupport(c.knowledge, need, setup)];
    const theirs = POINTS[needSupport(c.knowledge, need, other)];
    if (mine > theirs) reasons.push({ kind: 'need', need: need.id, topic: need.topic, text: `${need.label}: ${c.answerOf(need.topic, setup)}` });
    else if (mine === theirs && mine > 0) shared.push(need);
  }
  reasons.push(...signals[setup]);
  if (shared.length > 0) reasons.push({ kind: 'need', topic: shared[0]!.topic, text: `Both setups cover these needs: ${listLabels(shared)}.` });
  if (reasons.length === 0 || (ruledOut.length === 0 && scores.coexistence === scores['api-only'])) {
    reasons.push({
      kind: 'default',
      topic: 'migration',
      text:
        setup === 'coexistence'
          ? 'Nothing the customer named needs API-only, so Co-Existence keeps the phone app and can be undone by disconnecting.'
          : 'API-only fits what the customer named.',
    });
  }
  return reasons;
}

/** 4. Conflicts: asked for, not given by the chosen setup, but given by the other; and the needs that costs. */
function conflictsFor(c: Case, setup: SetupId, ruledOut: Finding[], { scores }: Scored): { conflicts: Finding[]; lostNeeds: Need[] } {
  const other = otherSetup(setup);
  const conflicts: Finding[] = [];
  const lostNeeds: Need[] = [];
  for (const need of c.ordered) {
    if (needSupport(c.knowledge, need, setup) === 'no' && gives(needSupport(c.knowledge, need, other))) {
      lostNeeds.push(need);
      conflicts.push({ need: need.id, topic: need.topic, text: `${need.label}: ${c.answerOf(need.topic, setup)}` });
    }
  }
  if (ruledOut.length > 0 && scores.coexistence > scores['api-only']) {
    conflicts.unshift({
      topic: ruledOut[0]!.topic!,
      text: `On needs alone Co-Existence would fit better, but ${ruledOut
        .map((r) => (r.topic === 'throughput' ? `its fixed ${c.coexMps} messages per second` : `our country offer`))
        .join(' and ')} rule${ruledOut.length === 1 ? 's' : ''} it out (see Why).`,
    });
  }
  return { conflicts, lostNeeds };
}

/** What neither setup gives: needs no setup meets, a peak above even API-only's maximum, parts API-only never gives. */
function unmetFor(c: Case, setup: SetupId, ruledOut: Finding[]): Finding[] {
  const { requirements: q, knowledge } = c;
  const unmet: Finding[] = [];
  for (const need of c.needs) {
    const coex = needSupport(knowledge, need, 'coexistence');
    const api = needSupport(knowledge, need, 'api-only');
    if (coex === 'no' && api === 'no') {
      unmet.push({ need: need.id, topic: need.topic, text: `${need.label}: neither setup offers this. ${c.answerOf(need.topic, 'coexistence')}` });
    } else if (unconfirmedOnly(coex, api)) {
      // One setup does not give it and the other is not confirmed to: no setup can be promised. Said as exactly
      // that, never as "neither offers it" (the not-confirmed side is a caveat on its own everywhere else).
      const [no, open] = coex === 'no' ? (['coexistence', 'api-only'] as const) : (['api-only', 'coexistence'] as const);
      unmet.push({
        need: need.id,
        topic: need.topic,
        text: `${need.label}: no setup is confirmed to give this. ${SETUP_NAMES[no]}: ${c.answerOf(need.topic, no)} ${SETUP_NAMES[open]}: not confirmed by a source. ${c.answerOf(need.topic, open)}`,
      });
    }
  }
  const { maxMps, maxMpsConditions } = knowledge.offerPolicy.apiOnly;
  if (q.peakMps !== undefined && q.peakMps > maxMps) {
    unmet.push({
      topic: 'throughput',
      text: `A peak of ${formatNumber(q.peakMps)} messages per second is above even API-only's ${formatNumber(maxMps)}${maxMpsConditions?.length ? ' (reached only under the conditions in What changes)' : ''}; spread sending or use more than one number.`,
    });
  }
  // A part of a need API-only never gives (video calls, large groups), when Co-Existence is ruled out for this
  // number: no setup we can offer on it gives that part, whatever our offer says.
  if (setup === 'api-only' && ruledOut.length > 0) {
    for (const need of c.ordered) {
      if (!need.apiOnlyGap) continue;
      unmet.push({
        need: need.id,
        topic: need.topic,
        text: `${need.apiOnlyGap.part}: no setup gives them on this number. ${need.apiOnlyGap.why}. Co-Existence, which keeps them in the Business App, is ruled out here (see Why).`,
      });
    }
  }
  return unmet;
}

/** 5. Caveats: what changes on moving to the chosen setup; the MPS upgrade's conditions first, partly-met needs, then the data's caveats with the customer's own needs at the top. */
function caveatsFor(c: Case, setup: SetupId): Finding[] {
  const { requirements: q, knowledge } = c;
  const caveats: Finding[] = [];
  const { defaultMps, maxMps, maxMpsConditions } = knowledge.offerPolicy.apiOnly;
  // Above API-only's default the customer depends on Meta's upgrade: say what it takes, first among the caveats.
  if (setup === 'api-only' && q.peakMps !== undefined && q.peakMps > defaultMps && maxMpsConditions?.length) {
    caveats.push({
      topic: 'throughput',
      text:
        `A peak of ${formatNumber(q.peakMps)} messages per second is above API-only's default ${formatNumber(defaultMps)}. ` +
        `Meta raises a number to ${formatNumber(maxMps)} only when all of these hold: ${conditionList(maxMpsConditions)}. ` +
        `Until then, plan for ${formatNumber(defaultMps)} per second (spread campaigns over time or over more numbers).`,
    });
  }
  for (const need of c.ordered) {
    const mine = needSupport(knowledge, need, setup);
    const theirs = needSupport(knowledge, need, otherSetup(setup));
    if (mine === 'partial') {
      caveats.push({ need: need.id, topic: need.topic, text: `${need.label}: only in part. ${c.answerOf(need.topic, setup)}` });
    } else if (mine === 'unconfirmed' && !unconfirmedOnly(mine, theirs)) {
      // Not confirmed is a caveat to check with the customer, never a conflict (unmet only when the other setup says
      // no: then no setup can be promised, see unmetFor).
      caveats.push({ need: need.id, topic: need.topic, text: `${need.label}: not confirmed by a source. ${c.answerOf(need.topic, setup)}` });
    }
  }
  const setupCaveats = knowledge.caveats[setup === 'coexistence' ? 'coexistence' : 'apiOnly']
    .filter((cv) => !(cv.unlessOffered && knowledge.offerPolicy.capabilities[cv.unlessOffered]))
    .map((cv, i) => ({ cv, i, mine: cv.need !== undefined && q.needs.includes(cv.need) }))
    .sort((a, b) => Number(b.mine) - Number(a.mine) || a.i - b.i);
  for (const { cv } of setupCaveats) caveats.push({ text: cv.text, topic: cv.topic, ...(cv.need ? { need: cv.need } : {}) });
  return caveats;
}

/** 6. An alternative when the recommendation costs the customer something they asked for. */
function alternativeFor(c: Case, setup: SetupId, lostNeeds: Need[]): Alternative | undefined {
  if (lostNeeds.length === 0) return undefined;
  if (setup === 'coexistence') {
    return {
      setups: ['coexistence', 'api-only'],
      text: `Add a second, API-only number for these needs: ${listLabels(lostNeeds)}. Keep this number on Co-Existence for the phone.`,
    };
  }
  return c.countryOffered
    ? {
        setups: ['coexistence', 'api-only'],
        text: `Use two numbers. One on Co-Existence (up to ${c.coexMps} messages per second) for these needs: ${listLabels(lostNeeds)}. One API-only number for the high-volume and automated traffic.`,
      }
    : {
        setups: ['api-only'],
        text: `Keep a second number on the WhatsApp Business App alone (not connected to the API) for these needs: ${listLabels(lostNeeds)}. Run automation on the API-only number. Co-Existence on one number becomes possible if our offer adds ${countryName(c.requirements.country)}.`,
      };
}

/** 7. Confidence: see the top of this file. */
function confidenceOf(c: Case, ruledOut: Finding[], conflicts: Finding[], { scores }: Scored): Confidence {
  const { confidence } = c.knowledge.decision;
  const margin = Math.abs(scores.coexistence - scores['api-only']);
  if (ruledOut.length > 0) return conflicts.length > 0 ? 'medium' : 'high';
  if (margin >= confidence.highMargin && conflicts.length === 0) return 'high';
  if (margin >= confidence.mediumMargin) return 'medium';
  return 'low';
}

/** The comparison rows that matter for this customer: what ruled Co-Existence out, their needs, then number use and throughput. */
function relevantTopicsFor(c: Case, ruledOut: Finding[]): TopicId[] {
  const relevant = new Set<TopicId>();
  for (const f of ruledOut) if (f.topic) relevant.add(f.topic);
  for (const n of c.ordered) relevant.add(n.topic);
  relevant.add('number-usage');
  relevant.add('throughput');
  return [...relevant];
}

// ---- One fact, one line: a line that only repeats what an earlier line of the recommendation already says
// ("Throughput is fixed at 20…" after "High-volume campaigns: only in part. Fixed at 20…") is dropped.

const FILLER = new Set(
  'a an the and or but of to in on at for by with from as is are be been it its this that these those can cannot not no only also any per it\'s which who their there than then so up'.split(' '),
);

/** The content words of a sentence: lower case, figures kept ("20", "1,000"), filler words left out. */
function contentWords(sentence: string): Set<string> {
  return new Set((sentence.toLowerCase().match(/[\p{L}\p{N}][\p{L}\p{N},'-]*/gu) ?? []).map((w) => w.replace(/[,']+$/, '')).filter((w) => !FILLER.has(w)));
}

/** Sentences that state something (at least four content words): "High-volume campaigns: only in part." does not. */
function statements(line: string): Set<string>[] {
  return line
    .split(/(?<=[.!?])\s+|:\s+/)
    .map(contentWords)
    .filter((w) => w.size >= 4);
}

/** Two sentences state the same fact when at least four and three quarters of the shorter one's content words are in the other. */
export function sameFact(a: Set<string>, b: Set<string>): boolean {
  const [small, large] = a.size <= b.size ? [a, b] : [b, a];
  let shared = 0;
  for (const w of small) if (large.has(w)) shared++;
  return shared >= 4 && shared / small.size >= 0.75;
}

/**
 * Drops every line whose statements all repeat statements of earlier lines (reasons, then conflicts, unmet and
 * caveats, in the order they are shown). A line with one new statement is kept whole.
 */
export function oneFactOneLine<T extends { text: string }>(groups: T[][]): T[][] {
  const said: Set<string>[] = [];
  return groups.map((lines) =>
    lines.filter((line) => {
      const own = statements(line.text);
      const repeats = own.length > 0 && own.every((s) => said.some((earlier) => sameFact(s, earlier)));
      if (!repeats) said.push(...own);
      return !repeats;
    }),
  );
}

export function recommend(requirements: Requirements, knowledge: Knowledge): Recommendation {
  const c = caseOf(requirements, knowledge);
  const ruledOut = ruleOut(c);
  const scored = score(c);
  const setup = decide(ruledOut, scored);
  const found = conflictsFor(c, setup, ruledOut, scored);
  const { lostNeeds } = found;
  const [reasons = [], conflicts = [], unmet = [], caveats = []] = oneFactOneLine<Reason | Finding>([
    reasonsFor(c, setup, ruledOut, scored),
    found.conflicts,
    unmetFor(c, setup, ruledOut),
    caveatsFor(c, setup),
  ]) as [Reason[], Finding[], Finding[], Finding[]];
  const alternative = alternativeFor(c, setup, lostNeeds);
  const confidence = confidenceOf(c, ruledOut, conflicts, scored);
  const who = requirements.customer ? ` for ${requirements.customer}` : '';
  return {
    setup,
    confidence,
    summary: `${SETUP_NAMES[setup]}${who} (${confidence} confidence)`,
    reasons,
    conflicts,
    unmet,
    caveats,
    ...(alternative ? { alternative } : {}),
    ruledOut,
    scores: scored.scores,
    relevantTopics: relevantTopicsFor(c, ruledOut),
    requirements,
  };
}
