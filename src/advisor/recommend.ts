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

const POINTS: Record<Status, number> = { yes: 1, partial: 0.5, no: 0 };

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

export function recommend(requirements: Requirements, knowledge: Knowledge): Recommendation {
  const { offerPolicy, decision } = knowledge;
  const coexMps = offerPolicy.coexistence.mps;
  const needs = requirements.needs
    .map((id) => knowledge.needs.find((n) => n.id === id))
    .filter((n): n is Need => n !== undefined);
  const answerOf = (topic: TopicId, setup: SetupId): string => {
    const t = findTopic(knowledge, topic);
    if (!t) return '';
    const facts = topicFacts(knowledge, t);
    return setup === 'coexistence' ? facts.coexistence.answer : facts.apiOnly.answer;
  };

  // 1. Hard facts.
  const ruledOut: Finding[] = [];
  const country = requirements.country;
  const countryOffered = offerPolicy.coexistence.countries.includes(country);
  if (requirements.peakMps !== undefined && requirements.peakMps > coexMps) {
    ruledOut.push({
      topic: 'throughput',
      text: `Peak of ${formatNumber(requirements.peakMps)} messages per second is above Co-Existence's fixed ${coexMps}; ${
        requirements.peakMps > offerPolicy.apiOnly.defaultMps && offerPolicy.apiOnly.maxMpsConditions?.length
          ? `API-only starts at ${formatNumber(offerPolicy.apiOnly.defaultMps)}, and goes higher only under Meta's conditions (see What changes)`
          : maxMpsWording(knowledge)
      }.`,
    });
  }
  if (!countryOffered) {
    const metaSupports = !offerPolicy.metaSupport.coexistenceUnavailable.includes(country);
    ruledOut.push({
      topic: 'availability',
      text:
        `We offer Co-Existence only for numbers in ${offerPolicy.coexistence.countries.map(countryName).join(', ') || 'no country yet'}; ` +
        `this number is in ${countryName(country)} (${country}).` +
        (metaSupports ? ` Meta itself supports Co-Existence there, so this changes if our offer widens.` : ''),
    });
  }

  // 2. Needs and signals.
  const scores: Record<SetupId, number> = { coexistence: 0, 'api-only': 0 };
  const unmet: Finding[] = [];
  for (const need of needs) {
    const coex = needSupport(knowledge, need, 'coexistence');
    const api = needSupport(knowledge, need, 'api-only');
    scores.coexistence += POINTS[coex] * need.weight;
    scores['api-only'] += POINTS[api] * need.weight;
    if (coex === 'no' && api === 'no') {
      unmet.push({ need: need.id, topic: need.topic, text: `${need.label}: neither setup offers this. ${answerOf(need.topic, 'coexistence')}` });
    }
  }
  const signals: Reason[] = [];
  const addSignal = (setup: SetupId, weight: number, text: string) => {
    scores[setup] += weight;
    signals.push({ kind: 'signal', text, topic: 'best-suited' });
  };
  const signalsFor: Record<SetupId, Reason[]> = { coexistence: [], 'api-only': [] };
  if (requirements.agents !== undefined) {
    if (requirements.agents >= decision.largeTeamAgents) {
      addSignal('api-only', decision.signalWeights.largeTeam, `${formatNumber(requirements.agents)} agents work best from a shared dashboard rather than one phone.`);
      signalsFor['api-only'].push(signals.at(-1)!);
    } else if (requirements.agents <= decision.smallTeamAgents) {
      addSignal('coexistence', decision.signalWeights.smallTeam, `A small team (${formatNumber(requirements.agents)} ${requirements.agents === 1 ? 'agent' : 'agents'}) can keep replying from the Business App.`);
      signalsFor.coexistence.push(signals.at(-1)!);
    }
  }
  if (requirements.dailyMessages !== undefined && requirements.dailyMessages >= decision.highVolumeDailyMessages) {
    addSignal('api-only', decision.signalWeights.highVolume, `${formatNumber(requirements.dailyMessages)} messages a day is high-volume messaging, where API-only is built to scale.`);
    signalsFor['api-only'].push(signals.at(-1)!);
  }

  // Decide.
  const byScore: SetupId = scores['api-only'] > scores.coexistence ? 'api-only' : 'coexistence';
  const setup: SetupId = ruledOut.length > 0 ? 'api-only' : byScore;
  const other = otherSetup(setup);

  // Reasons: hard facts, then needs the chosen setup meets better (heaviest first), then signals.
  const reasons: Reason[] = ruledOut.map((f) => ({ kind: 'hard-fact' as const, text: f.text, ...(f.topic ? { topic: f.topic } : {}) }));
  const ordered = [...needs].sort((a, b) => b.weight - a.weight || knowledge.needs.indexOf(a) - knowledge.needs.indexOf(b));
  const shared: Need[] = [];
  for (const need of ordered) {
    const mine = POINTS[needSupport(knowledge, need, setup)];
    const theirs = POINTS[needSupport(knowledge, need, other)];
    if (mine > theirs) reasons.push({ kind: 'need', need: need.id, topic: need.topic, text: `${need.label}: ${answerOf(need.topic, setup)}` });
    else if (mine === theirs && mine > 0) shared.push(need);
  }
  reasons.push(...signalsFor[setup]);
  if (shared.length > 0) {
    reasons.push({ kind: 'need', topic: shared[0]!.topic, text: `Both setups cover these needs: ${listLabels(shared)}.` });
  }
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

  // Conflicts: asked for, not given by the chosen setup, but given by the other.
  const conflicts: Finding[] = [];
  const lostNeeds: Need[] = [];
  for (const need of ordered) {
    const mine = needSupport(knowledge, need, setup);
    const theirs = needSupport(knowledge, need, other);
    if (mine === 'no' && theirs !== 'no') {
      lostNeeds.push(need);
      conflicts.push({ need: need.id, topic: need.topic, text: `${need.label}: ${answerOf(need.topic, setup)}` });
    }
  }
  if (ruledOut.length > 0 && scores.coexistence > scores['api-only']) {
    conflicts.unshift({
      topic: ruledOut[0]!.topic!,
      text: `On needs alone Co-Existence would fit better, but ${ruledOut
        .map((r) => (r.topic === 'throughput' ? `its fixed ${coexMps} messages per second` : `our country offer`))
        .join(' and ')} rule${ruledOut.length === 1 ? 's' : ''} it out (see Why).`,
    });
  }

  // Caveats: what changes on moving to the chosen setup; partly-met needs first, then the data's caveats with
  // the customer's own needs at the top.
  const caveats: Finding[] = [];
  for (const need of ordered) {
    if (needSupport(knowledge, need, setup) === 'partial') {
      caveats.push({ need: need.id, topic: need.topic, text: `${need.label}: only in part. ${answerOf(need.topic, setup)}` });
    }
  }
  const setupCaveats = knowledge.caveats[setup === 'coexistence' ? 'coexistence' : 'apiOnly']
    .filter((c) => !(c.unlessOffered && offerPolicy.capabilities[c.unlessOffered]))
    .map((c, i) => ({ c, i, mine: c.need !== undefined && requirements.needs.includes(c.need) }))
    .sort((a, b) => Number(b.mine) - Number(a.mine) || a.i - b.i);
  for (const { c } of setupCaveats) caveats.push({ text: c.text, topic: c.topic, ...(c.need ? { need: c.need } : {}) });
  const { defaultMps, maxMps, maxMpsConditions } = offerPolicy.apiOnly;
  if (requirements.peakMps !== undefined && requirements.peakMps > maxMps) {
    unmet.push({
      topic: 'throughput',
      text: `A peak of ${formatNumber(requirements.peakMps)} messages per second is above even API-only's ${formatNumber(maxMps)}${maxMpsConditions?.length ? ' (reached only under the conditions in What changes)' : ''}; spread sending or use more than one number.`,
    });
  }
  // Above API-only's default the customer depends on Meta's upgrade: say what it takes, first among the caveats.
  if (setup === 'api-only' && requirements.peakMps !== undefined && requirements.peakMps > defaultMps && maxMpsConditions?.length) {
    caveats.unshift({
      topic: 'throughput',
      text:
        `A peak of ${formatNumber(requirements.peakMps)} messages per second is above API-only's default ${formatNumber(defaultMps)}. ` +
        `Meta raises a number to ${formatNumber(maxMps)} only when all of these hold: ${conditionList(maxMpsConditions)}. ` +
        `Until then, plan for ${formatNumber(defaultMps)} per second (spread campaigns over time or over more numbers).`,
    });
  }
  // A part of a need API-only never gives (video calls, large groups), when Co-Existence is ruled out for this
  // number: no setup we can offer on it gives that part, whatever our offer says.
  if (setup === 'api-only' && ruledOut.length > 0) {
    for (const need of ordered) {
      if (!need.apiOnlyGap) continue;
      unmet.push({
        need: need.id,
        topic: need.topic,
        text: `${need.apiOnlyGap.part}: no setup gives them on this number. ${need.apiOnlyGap.why}. Co-Existence, which keeps them in the Business App, is ruled out here (see Why).`,
      });
    }
  }

  // Alternative when the recommendation costs the customer something.
  let alternative: Alternative | undefined;
  if (lostNeeds.length > 0) {
    if (setup === 'api-only') {
      alternative = countryOffered
        ? {
            setups: ['coexistence', 'api-only'],
            text: `Use two numbers. One on Co-Existence (up to ${coexMps} messages per second) for these needs: ${listLabels(lostNeeds)}. One API-only number for the high-volume and automated traffic.`,
          }
        : {
            setups: ['api-only'],
            text: `Keep a second number on the WhatsApp Business App alone (not connected to the API) for these needs: ${listLabels(lostNeeds)}. Run automation on the API-only number. Co-Existence on one number becomes possible if our offer adds ${countryName(country)}.`,
          };
    } else {
      alternative = {
        setups: ['coexistence', 'api-only'],
        text: `Add a second, API-only number for these needs: ${listLabels(lostNeeds)}. Keep this number on Co-Existence for the phone.`,
      };
    }
  }

  // Confidence.
  const margin = Math.abs(scores.coexistence - scores['api-only']);
  let confidence: Confidence;
  if (ruledOut.length > 0) confidence = conflicts.length > 0 ? 'medium' : 'high';
  else if (margin >= decision.confidence.highMargin && conflicts.length === 0) confidence = 'high';
  else if (margin >= decision.confidence.mediumMargin) confidence = 'medium';
  else confidence = 'low';

  const relevant = new Set<TopicId>();
  for (const f of ruledOut) if (f.topic) relevant.add(f.topic);
  for (const n of ordered) relevant.add(n.topic);
  relevant.add('number-usage');
  relevant.add('throughput');

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
    scores,
    relevantTopics: [...relevant],
    requirements,
  };
}
