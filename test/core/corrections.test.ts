import { describe, expect, it } from 'vitest';
import { answer, recommend, topicFacts, validateRequirements, type Knowledge, type Requirements } from '../../src/index.ts';
import { correctedKnowledge } from '../helpers/fixtures.ts';

// The audit of 2026-11-25 (shared/knowledge/facts.md, section C), as a salesperson or agent meets it. On a frozen
// copy of the corrected knowledge (test/fixtures/README.md), so a knowledge owner's later edit cannot break it.

const kb = correctedKnowledge();
const req = (input: Record<string, unknown>): Requirements => {
  const v = validateRequirements({ needs: [], ...input });
  if (!v.ok) throw new Error(JSON.stringify(v.errors));
  return v.requirements;
};
const offering = (capability: 'callingApi' | 'groupsApi'): Knowledge => {
  const copy = structuredClone(kb);
  copy.offerPolicy.capabilities[capability] = true;
  return copy;
};
const facts = (k: Knowledge, id: string) => topicFacts(k, k.topics.find((t) => t.id === id)!);
const texts = (findings: { text: string }[]) => findings.map((f) => f.text).join('\n');

describe('calls on API-only: voice only', () => {
  it('a customer who needs video calls and 200 MPS is told video is not met, not promised it', () => {
    const r = recommend(req({ country: 'IN', peakMps: 200, needs: ['calls'] }), kb);
    expect(r.setup).toBe('api-only');
    expect(r.unmet).toContainEqual(expect.objectContaining({ need: 'calls', text: expect.stringMatching(/^Video calls: .*voice only/) }));
  });

  it('with the Calling API in our offer, calls on API-only are partial (voice), never a plain yes', () => {
    const k = offering('callingApi');
    expect(facts(k, 'calls').apiOnly).toMatchObject({ status: 'partial', answer: expect.stringMatching(/Voice only.*No video/) });
    const r = recommend(req({ country: 'IN', peakMps: 200, needs: ['calls'] }), k);
    expect(r.reasons.some((x) => x.need === 'calls')).toBe(false);
    expect(texts(r.caveats)).toMatch(/Voice & video calls: only in part\. Voice only/);
    expect(r.unmet.map((u) => u.need)).toContain('calls');
  });

  it('the calls answer names every prerequisite of the Calling API', () => {
    const a = answer('calling api', kb);
    expect(a.topic).toBe('calls');
    if (a.topic === null) return;
    expect(a.answer.apiOnly.details).toMatch(/voice/);
    expect(a.answer.apiOnly.details).toMatch(/2,000/);
    expect(a.answer.apiOnly.details).toMatch(/US, Canada, Egypt, Vietnam or Nigeria/);
    expect(a.answer.apiOnly.details).toMatch(/permission/);
    expect(a.answer.sources.map((s) => s.url)).toContain('https://developers.facebook.com/documentation/business-messaging/whatsapp/calling/');
  });
});

describe('groups on API-only: Official Business Accounts, 8 participants', () => {
  it('a community-group customer who must go API-only sees the Groups API limits and an unmet flag', () => {
    const r = recommend(req({ customer: 'Chai Club', country: 'IN', peakMps: 200, needs: ['group-chats'] }), kb);
    expect(r.setup).toBe('api-only');
    const conflict = r.conflicts.find((c) => c.need === 'group-chats')!;
    expect(conflict.text).toMatch(/Official Business Accounts.*8 participants/);
    expect(r.unmet).toContainEqual(expect.objectContaining({ need: 'group-chats', text: expect.stringMatching(/more than 8 people/) }));
  });

  it('with the Groups API in our offer, group chats on API-only are partial with the limits, not a plain yes', () => {
    const k = offering('groupsApi');
    const r = recommend(req({ country: 'DE', needs: ['group-chats'] }), k);
    expect(r.setup).toBe('api-only');
    expect(r.reasons.some((x) => x.need === 'group-chats')).toBe(false);
    // One fact, one line: the limits are said once, under Not met, not again as a caveat.
    const all = texts([...r.reasons, ...r.conflicts, ...r.unmet, ...r.caveats]);
    expect(all).toMatch(/at most 8 participants per group, and only for Official Business Accounts/);
    expect(all.match(/8 participants/g)).toHaveLength(1);
  });
});

describe('1,000 MPS only under three conditions', () => {
  const conditions = [/unlimited messaging limit/, /100,000 unique users outside the customer service window within 24 hours/, /Medium or higher/];

  it('a 200 MPS customer is told what it takes to get above 80', () => {
    const r = recommend(req({ country: 'IN', peakMps: 200, needs: [] }), kb);
    const caveat = r.caveats[0]!;
    expect(caveat.topic).toBe('throughput');
    expect(caveat.text).toMatch(/200 .* default 80.*1,000 only when all/);
    for (const c of conditions) expect(caveat.text).toMatch(c);
  });

  it('a customer at or under 80 MPS gets no upgrade caveat', () => {
    const r = recommend(req({ country: 'IN', peakMps: 60, needs: [] }), kb);
    expect(texts(r.caveats)).not.toMatch(/1,000/);
  });

  it('every topic text that states 1,000 MPS also states the conditions', () => {
    for (const t of kb.topics) {
      for (const side of ['coexistence', 'apiOnly'] as const) {
        for (const text of [t[side].answer, t[side].details]) {
          if (/1,000/.test(text) && /messages per second|MPS|raise/i.test(text)) expect(text, `${t.id}.${side}`).toMatch(/unlimited messaging limit/);
        }
      }
    }
  });
});

describe('the smaller corrections of section C', () => {
  it('says blue checkmark, not green tick, and does not promise it', () => {
    const v = facts(kb, 'verification');
    expect(v.title).toMatch(/Blue checkmark/);
    expect(v.apiOnly).toMatchObject({ status: 'partial', answer: expect.stringMatching(/not guaranteed/) });
    expect(answer('green tick', kb).topic).toBe('verification');
  });

  it('API-only numbers send catalogs and product messages; only Status is app-only', () => {
    expect(facts(kb, 'status-updates').apiOnly.answer).toMatch(/catalog and product messages do work/);
    const r = recommend(req({ country: 'DE', needs: [] }), kb);
    expect(texts(r.caveats)).toMatch(/No Status posts on the number; catalogs and product messages are sent through the API/);
  });

  it('edit and revoke: the business’s own app-side edits and deletes reach the API, and a customer’s deletes only on Co-Existence (section D corrects C)', () => {
    const m = facts(kb, 'message-revoke');
    expect(m.coexistence.details).toMatch(/smb_message_echoes/);
    expect(m.coexistence.details).toMatch(/within 2 days/);
    expect(m.coexistence.answer).toMatch(/when the business edits or deletes a message in the app, and when a\s+customer deletes one/);
    expect(m.apiOnly.answer).toMatch(/not told when a customer deletes one/);
  });

  it('pricing names the October 2026 charge for utility templates inside the window', () => {
    expect(facts(kb, 'pricing').apiOnly.details).toMatch(/utility templates sent inside an open window are charged/);
  });

  it('keep-alive: 14 days is Meta’s figure and 13 a provider’s advice; companion inactivity removes the API link', () => {
    const d = facts(kb, 'disconnection').coexistence;
    expect(d.answer).toMatch(/about 14 days.*providers advise.*13/);
    expect(d.details).toMatch(/companions must be linked\s+again by hand/);
    expect(facts(kb, 'linked-devices').coexistence.details).toMatch(/COMPANION_INACTIVITY/);
  });

  it('provider advice is attributed or gone: no waiting months before Co-Existence, warm-up is a provider’s advice', () => {
    expect(facts(kb, 'migration').apiOnly.details).not.toMatch(/one to two months/);
    expect(facts(kb, 'eligibility').coexistence.details).toMatch(/Some providers\s+advise about 7 days.*Meta states no minimum/s);
  });

  it('business-scoped user IDs and conversation routing are stated for CRM work', () => {
    const a = facts(kb, 'automation').apiOnly.details;
    expect(a).toMatch(/business-scoped user ID/);
    expect(a).toMatch(/Conversation Routing/);
    expect(answer('business scoped user id', kb).topic).toBe('automation');
  });

  it('re-dates only the topics changed against a source (2026-11-25, then 2026-12-07 for section D)', () => {
    const changed = kb.topics.filter((t) => t.lastVerified === '2026-11-25').map((t) => t.id);
    expect(changed).toEqual(expect.arrayContaining(['group-chats', 'throughput']));
    const second = kb.topics.filter((t) => t.lastVerified === '2026-12-07').map((t) => t.id);
    expect(second).toEqual(expect.arrayContaining(['message-revoke', 'pricing', 'calls', 'backups', 'linked-devices', 'disconnection', 'availability', 'eligibility', 'templates', 'automation', 'verification', 'migration', 'status-updates']));
    for (const id of ['one-to-one-chats', 'broadcast-lists', 'service-window']) {
      expect(facts(kb, id).lastVerified, id).toBe('2026-09-11');
    }
  });
});
