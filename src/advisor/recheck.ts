import type { Knowledge } from '../knowledge/schema.ts';
import { SETUP_NAMES, type NeedId, type SetupId, type Status } from '../knowledge/ids.ts';
import { countryName } from './countries.ts';
import { needSupport } from './facts.ts';
import { recommend, type Confidence, type Finding, type Recommendation } from './recommend.ts';
import type { Requirements } from './requirements.ts';
import { STATUS_WORD } from './wording.ts';

// A posted recommendation, checked again under today's knowledge. The verdict is what the customer was told: the
// setup, the confidence, the conflicts (asked for, not given by the setup) and the unmet needs (given by neither).
// When any of those differs, the recommendation is out of date, and a note says what changed in the facts.
//
// The facts a recommendation rests on are few: the offer policy's figures (Co-Existence's fixed MPS, API-only's
// default and maximum, the countries we offer Co-Existence in, the capabilities offered on API-only) and, for each of
// the customer's needs, what each setup gives. `basisOf` takes them down when a recommendation is made (the store
// keeps them with it); the recheck compares them with today's, in words. A recommendation stored without them (made
// before they were kept) is compared line by line instead: what it said then against what it says now.

/** The facts a recommendation was made on: the policy's figures and, per need of the customer, each setup's status. */
export interface Basis {
  coexistenceMps: number;
  apiOnlyDefaultMps: number;
  apiOnlyMaxMps: number;
  /** Where we offer Co-Existence (ISO codes). */
  countries: string[];
  /** What we offer on API-only numbers (policy.yml's capabilities). */
  capabilities: Record<string, boolean>;
  /** Each of the customer's needs: what each setup gives, with the offer policy applied. */
  needs: Partial<Record<NeedId, { label: string; coexistence: Status; apiOnly: Status }>>;
}

export function basisOf(requirements: Requirements, knowledge: Knowledge): Basis {
  const { offerPolicy } = knowledge;
  const needs: Basis['needs'] = {};
  for (const id of requirements.needs) {
    const need = knowledge.needs.find((n) => n.id === id);
    if (need) needs[id] = { label: need.label, coexistence: needSupport(knowledge, need, 'coexistence'), apiOnly: needSupport(knowledge, need, 'api-only') };
  }
  return {
    coexistenceMps: offerPolicy.coexistence.mps,
    apiOnlyDefaultMps: offerPolicy.apiOnly.defaultMps,
    apiOnlyMaxMps: offerPolicy.apiOnly.maxMps,
    countries: [...offerPolicy.coexistence.countries],
    capabilities: { ...offerPolicy.capabilities },
    needs,
  };
}

/** What part of the verdict changed. */
export type VerdictPart = 'setup' | 'confidence' | 'conflicts' | 'unmet';
export const VERDICT_PARTS: readonly VerdictPart[] = ['setup', 'confidence', 'conflicts', 'unmet'];

export interface Verdict {
  setup: SetupId;
  confidence: Confidence;
}

export interface Recheck {
  before: Verdict;
  after: Verdict;
  /** The parts of the verdict that differ, in VERDICT_PARTS order; empty: the recommendation still stands. */
  changed: VerdictPart[];
  /** What changed in the facts it rests on, one sentence each ("Co-Existence's throughput is now 25 … (was 20)."). */
  facts: string[];
  /** What changed in the verdict, one sentence each ("Conflicts: none now (was: Voice calls: …)."). */
  verdict: string[];
  /** The recommendation as today's knowledge makes it. */
  recommendation: Recommendation;
}

const n = (x: number) => x.toLocaleString('en-US');
const countries = (codes: readonly string[]) => (codes.length === 0 ? 'no country' : codes.map(countryName).join(', '));

/** A finding's identity across versions of the knowledge: the need it is about, else its topic (its words may change). */
const keyOf = (f: Finding): string => (f.need ? `need:${f.need}` : f.topic ? `topic:${f.topic}` : `text:${f.text}`);

/**
 * A conflict is about a need, or is the one that says a hard fact overrode the needs ("On needs alone Co-Existence
 * would fit better, but …"): which hard facts it names may change (MPS and country, then country alone) without
 * changing the conflict.
 */
const conflictKey = (f: Finding): string => (f.need ? `need:${f.need}` : 'ruled-out');

function sameKeys(a: readonly Finding[], b: readonly Finding[], key: (f: Finding) => string = keyOf): boolean {
  const ka = new Set(a.map(key));
  const kb = new Set(b.map(key));
  return ka.size === kb.size && [...ka].every((k) => kb.has(k));
}

const CAPABILITY_WORDS: Record<string, string> = {
  callingApi: 'WhatsApp calls on API-only numbers (the Calling API)',
  groupsApi: 'WhatsApp groups on API-only numbers (the Groups API)',
};

/** The facts that differ between two bases, in words; only what bears on this customer. */
export function factChanges(before: Basis, after: Basis, requirements: Requirements): string[] {
  const out: string[] = [];
  if (before.coexistenceMps !== after.coexistenceMps) {
    out.push(`Co-Existence throughput is now ${n(after.coexistenceMps)} messages per second (was ${n(before.coexistenceMps)}).`);
  }
  if (before.apiOnlyDefaultMps !== after.apiOnlyDefaultMps) {
    out.push(`API-only's default throughput is now ${n(after.apiOnlyDefaultMps)} messages per second (was ${n(before.apiOnlyDefaultMps)}).`);
  }
  if (before.apiOnlyMaxMps !== after.apiOnlyMaxMps) {
    out.push(`API-only's maximum throughput is now ${n(after.apiOnlyMaxMps)} messages per second (was ${n(before.apiOnlyMaxMps)}).`);
  }
  const offeredBefore = before.countries.includes(requirements.country);
  const offeredAfter = after.countries.includes(requirements.country);
  if (offeredBefore !== offeredAfter) {
    out.push(
      offeredAfter
        ? `We now offer Co-Existence for numbers in ${countryName(requirements.country)} (${requirements.country}); we offer it in ${countries(after.countries)}.`
        : `We no longer offer Co-Existence for numbers in ${countryName(requirements.country)} (${requirements.country}); we offer it in ${countries(after.countries)}.`,
    );
  }
  for (const [capability, offered] of Object.entries(after.capabilities)) {
    if (before.capabilities[capability] === undefined || before.capabilities[capability] === offered) continue;
    out.push(`${offered ? 'We now offer' : 'We no longer offer'} ${CAPABILITY_WORDS[capability] ?? capability}.`);
  }
  for (const id of requirements.needs) {
    const was = before.needs[id];
    const now = after.needs[id];
    if (!was || !now) continue;
    for (const [setup, key] of [['coexistence', 'coexistence'], ['api-only', 'apiOnly']] as const) {
      if (was[key] !== now[key]) out.push(`${now.label} on ${SETUP_NAMES[setup]}: now ${STATUS_WORD[now[key]]} (was ${STATUS_WORD[was[key]]}).`);
    }
  }
  return out;
}

/**
 * Without a basis (a recommendation stored before they were kept): the hard facts that ruled Co-Existence out, and
 * the lines whose words changed, as it said them then and as it says them now.
 */
function lineChanges(before: Recommendation, after: Recommendation): string[] {
  const out: string[] = [];
  const now = new Map(after.ruledOut.map((f) => [keyOf(f), f]));
  const then = new Map(before.ruledOut.map((f) => [keyOf(f), f]));
  for (const [key, f] of then) if (!now.has(key)) out.push(`No longer rules out Co-Existence: ${f.text}`);
  for (const [key, f] of now) {
    const old = then.get(key);
    if (!old) out.push(`Now rules out Co-Existence: ${f.text}`);
    else if (old.text !== f.text) out.push(`${f.text} (was: ${old.text})`);
  }
  return out;
}

/** When neither the figures, the needs' statuses nor a hard fact changed: how needs are weighed (decision.yml) did. */
export const NO_FACT_NAMED = 'How needs and signals are weighed changed (needs.yml or decision.yml), not a fact about either setup.';

const listOf = (findings: readonly Finding[]) => (findings.length === 0 ? 'none' : findings.map((f) => f.text).join(' · '));

function verdictWords(before: Recommendation, after: Recommendation, changed: readonly VerdictPart[]): string[] {
  const out: string[] = [];
  if (changed.includes('setup')) out.push(`Recommended setup: now ${SETUP_NAMES[after.setup]} (was ${SETUP_NAMES[before.setup]}).`);
  if (changed.includes('confidence')) out.push(`Confidence: now ${after.confidence} (was ${before.confidence}).`);
  if (changed.includes('conflicts')) out.push(`Conflicts: now ${listOf(after.conflicts)} (was ${listOf(before.conflicts)}).`);
  if (changed.includes('unmet')) out.push(`Not met by either setup: now ${listOf(after.unmet)} (was ${listOf(before.unmet)}).`);
  return out;
}

/**
 * A stored recommendation (as it was shown, with the basis it was made on when kept) under today's knowledge: the
 * verdict then and now, which parts of it changed, and what changed in the facts. Pure and deterministic.
 */
export function recheck(stored: { recommendation: Recommendation; basis?: Basis | null }, knowledge: Knowledge): Recheck {
  const before = stored.recommendation;
  const after = recommend(before.requirements, knowledge);
  const changed = VERDICT_PARTS.filter((part) => {
    switch (part) {
      case 'setup':
        return before.setup !== after.setup;
      case 'confidence':
        return before.confidence !== after.confidence;
      case 'conflicts':
        return !sameKeys(before.conflicts, after.conflicts, conflictKey);
      case 'unmet':
        return !sameKeys(before.unmet, after.unmet);
    }
  });
  let facts: string[] = [];
  if (changed.length > 0) {
    facts = stored.basis ? factChanges(stored.basis, basisOf(before.requirements, knowledge), before.requirements) : [];
    if (facts.length === 0) facts = lineChanges(before, after);
    if (facts.length === 0) facts = [NO_FACT_NAMED];
  }
  return {
    before: { setup: before.setup, confidence: before.confidence },
    after: { setup: after.setup, confidence: after.confidence },
    changed,
    facts,
    verdict: verdictWords(before, after, changed),
    recommendation: after,
  };
}
