import { cpSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';

// The second audit (facts.md section D, 2026-12-07) as staff meet it in the terminal, on the frozen corrected
// knowledge (test/fixtures/knowledge-corrected/): each correction, the "not confirmed" status, replies that say only
// what bears on the customer, notes that follow a changed figure, headlines that match the case asked, new topics.

const env = { KNOWLEDGE_FILE: CORRECTED_KNOWLEDGE_FILE };
const flat = (s: string) => s.replace(/\s+/g, ' ');
async function json(args: string[], e: Record<string, string> = env): Promise<any> {
  const r = await runCli([...args, '--json'], { env: e });
  expect(r.code, r.stderr).toBe(0);
  return JSON.parse(r.stdout);
}
async function text(args: string[], e: Record<string, string> = env): Promise<string> {
  const r = await runCli(args, { env: e });
  expect(r.code, r.stderr).toBe(0);
  return flat(r.stdout);
}
const topicOf = async (id: string) => (await json(['topics'])).find((t: any) => t.id === id);
/** The recommendation's lines, every section, as JSON. */
const lines = (r: any): string[] => [...r.reasons, ...r.conflicts, ...r.unmet, ...r.caveats].map((f: any) => f.text);

describe('the "not confirmed" status', () => {
  it('chat backups on Co-Existence are ❔ Not confirmed, neither ✅ nor ❌, in the answer, the comparison and the JSON', async () => {
    const answer = await text(['ask', 'google drive backup']);
    expect(answer).toMatch(/Co-Existence ❔ Not confirmed One provider says Drive and iCloud backups stop/);
    const compare = await text(['compare']);
    expect(compare).toMatch(/Chat backups \(help article not confirmed by Meta\) ❔ Not confirmed ❌ No/);
    expect(compare).toMatch(/❔ not confirmed by a source/);
    const a = await json(['ask', 'google drive backup']);
    expect(a.answer.coexistence.status).toBe('unconfirmed');
    expect((await topicOf('backups')).coexistence).toBe('unconfirmed');
  });

  it('never a conflict, and it does not cost Co-Existence the decision: a phone-app customer who wants backups', async () => {
    const r = await json(['recommend', '--country', 'IN', '--need', 'phone-app', '--need', 'chat-backups']);
    expect(r.setup).toBe('coexistence');
    expect(r.conflicts).toEqual([]);
    expect(r.scores).toEqual({ coexistence: 3, 'api-only': 0 });
    expect(lines(r).join('\n')).not.toMatch(/backups: neither setup offers this/);
  });

  it('not confirmed on both setups is a caveat, never unmet', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-kb-'));
    cpSync(path.dirname(CORRECTED_KNOWLEDGE_FILE), dir, { recursive: true });
    const topic = path.join(dir, 'topics/backups.yml');
    // Backups made "not confirmed" on both setups: no setup says no, so it is a caveat, never unmet.
    writeFileSync(topic, readFileSync(topic, 'utf8').replace(/apiOnly:\n  status: no/, 'apiOnly:\n  status: unconfirmed'));
    const r = await json(['recommend', '--country', 'IN', '--need', 'phone-app', '--need', 'chat-backups'], { KNOWLEDGE_FILE: path.join(dir, 'knowledge.yml') });
    expect(r.conflicts).toEqual([]);
    expect(r.unmet).toEqual([]);
    expect(r.caveats).toContainEqual(expect.objectContaining({ need: 'chat-backups', text: expect.stringMatching(/^Google Drive \/ iCloud chat backups: not confirmed by a source\./) }));
  });

  it('on API-only, backups are no conflict either; with no setup confirmed to give them, it says exactly that', async () => {
    const r = await json(['recommend', '--country', 'IN', '--peak-mps', '50', '--need', 'chat-backups']);
    expect(r.setup).toBe('api-only');
    expect(r.conflicts).toEqual([]);
    expect(r.unmet).toContainEqual(expect.objectContaining({ need: 'chat-backups', text: expect.stringMatching(/no setup is confirmed to give this\. API only: No\..*Co-Existence: not confirmed by a source\./) }));
    expect(lines(r).join('\n')).not.toMatch(/neither setup offers this/);
  });
});

describe('each correction of section D', () => {
  it('message-revoke: the business’s own app-side edits and deletes reach the API; only Co-Existence hears of a customer’s deletes', async () => {
    const t = await text(['ask', 'delete for everyone']);
    expect(t).toMatch(/The API hears of it when the business edits or deletes a message in the app, and when a customer deletes one/);
    expect(t).toMatch(/smb_message_echoes/);
    expect(t).toMatch(/an API-only number is not told when a customer deletes one/);
    expect(t).toMatch(/webhooks\/reference\/smb_message_echoes/);
  });

  it('pricing: 1,000 free service messages a month are reported, to confirm before quoting', async () => {
    const t = await text(['ask', 'pricing']);
    expect(t).toMatch(/1,000 free service messages per business phone number per month, without rollover; we have not read that page directly, so call it reported and confirm it/);
  });

  it('calls: user-initiated calls are free, business-initiated billed; no video plan is stated', async () => {
    const t = await text(['ask', 'calling api']);
    expect(t).toMatch(/Calls a customer makes to the business are free; only calls the business makes are billed, in 6-second units/);
    expect(t).not.toMatch(/planned/);
    expect(t).toMatch(/voice calls only, no video/);
  });

  it('linked devices and disconnection: COMPANION_INACTIVITY does not say which companion; no advice to keep WhatsApp Web active', async () => {
    const l = await text(['ask', 'whatsapp web linked devices']);
    expect(l).toMatch(/does not say which is meant: do not tell a customer to keep WhatsApp Web active/);
    const d = await text(['ask', 'disconnect after 14 days']);
    expect(d).toMatch(/do not advise keeping WhatsApp Web active/);
  });

  it('availability: the markets Meta enabled, not "wherever the Cloud API is available"; sanctioned regions named', async () => {
    const t = await text(['ask', 'is coexistence available in germany']);
    expect(t).toMatch(/Meta turned Co-Existence on market by market/);
    expect(t).toMatch(/publishes no full list/);
    expect(t).not.toMatch(/wherever the Cloud API is available,/);
    expect(t).toMatch(/Crimea, Donetsk and Luhansk/);
  });

  it('eligibility and templates: business verification is not a condition for messaging', async () => {
    expect(await text(['ask', 'eligibility for api only onboarding'])).toMatch(/Business verification is not needed to start messaging; it is one route to the 2,000 messaging limit/);
    expect(await text(['ask', 'templates'])).toMatch(/Business verification is not a condition for messaging/);
  });

  it('automation: the Marketing Messages API for WhatsApp, generally available, with the hedge kept', async () => {
    const t = await text(['ask', 'chatbots and workflows']);
    expect(t).toMatch(/renamed the Marketing Messages API for WhatsApp and is generally available since 19 November 2025; whether Co-Existence numbers may use it is reported both ways/);
  });

  it('the business-scoped user ID caveat applies to Co-Existence too', async () => {
    const r = await json(['recommend', '--country', 'IN', '--need', 'phone-app', '--need', 'crm-integration']);
    expect(r.setup).toBe('coexistence');
    expect(r.caveats.map((c: any) => c.text).join('\n')).toMatch(/business-scoped user IDs .* on Co-Existence too/);
  });

  it('verification: no refusal rate; a refused business may apply again after 30 days', async () => {
    const t = await text(['ask', 'blue tick']);
    expect(t).not.toMatch(/many applications are refused/);
    expect(t).toMatch(/Meta publishes no refusal rate; a business refused may apply again after 30 days/);
  });

  it('migration: nothing is said about a waiting time', async () => {
    const t = await text(['ask', 'move to api only later']);
    expect(t).not.toMatch(/waiting time|no waiting/i);
  });

  it('status-updates: a catalog on a Co-Existence number is not confirmed', async () => {
    const t = await text(['ask', 'status updates']);
    expect(t).toMatch(/Whether a Commerce catalog can be attached to a Co-Existence number to send product messages through the API is not confirmed/);
  });
});

describe('reasons and caveats that fit the customer', () => {
  it('a 10 MPS campaign customer is not told about 1,000 MPS, and the fixed 20 is said once', async () => {
    const r = await json(['recommend', '--country', 'IN', '--peak-mps', '10', '--need', 'bulk-campaigns', '--need', 'phone-app']);
    expect(r.setup).toBe('coexistence');
    const all = lines(r).join('\n');
    expect(all).not.toMatch(/1,000/);
    expect(all.match(/fixed at 20 messages per second/gi)).toHaveLength(1);
  });

  it('a 200 MPS customer still gets the three conditions of 1,000 MPS', async () => {
    const r = await json(['recommend', '--country', 'IN', '--peak-mps', '200', '--need', 'bulk-campaigns']);
    expect(lines(r).join('\n')).toMatch(/Meta raises a number to 1,000 only when all of these hold/);
  });
});

describe('help-article notes follow the policy figure', () => {
  it('with Co-Existence at 20 the article’s 20 is right; at 25 it is outdated, and the verdict says so', async () => {
    const now = await text(['ask', 'mps']);
    expect(now).toMatch(/The help article is incomplete here\. It says: API-only offers 80–100 MPS against Co-Existence's 20\. Now: The article's 20 for Co-Existence's fixed MPS is right\./);
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-kb-'));
    cpSync(path.dirname(CORRECTED_KNOWLEDGE_FILE), dir, { recursive: true });
    const policy = path.join(dir, 'policy.yml');
    writeFileSync(policy, readFileSync(policy, 'utf8').replace(/^  mps: 20$/m, '  mps: 25'));
    const e = { KNOWLEDGE_FILE: path.join(dir, 'knowledge.yml') };
    const changed = await text(['ask', 'mps'], e);
    expect(changed).toMatch(/The help article is outdated here\. It says: API-only offers 80–100 MPS against Co-Existence's 20\. Now: The article's 20 for Co-Existence's fixed MPS is outdated: it is 25 now\./);
    expect(changed).not.toMatch(/25 is right/);
    expect(await text(['compare'], e)).toMatch(/Throughput \(messages per second\) \(help article outdated\)/);
  });
});

describe('headlines that match the case asked about', () => {
  it('WhatsApp on a Windows laptop is not headed ✅ Yes: Partly, with the Windows app exception first', async () => {
    const t = await text(['ask', 'can the owner use whatsapp on his windows laptop after coexistence?']);
    expect(t).toMatch(/^Linked devices/);
    expect(t).toMatch(/Co-Existence ⚠️ Partly Not the WhatsApp for Windows app, which Meta does not support on Co-Existence\./);
    expect(t).not.toMatch(/Co-Existence ✅ Yes/);
  });

  it('a WearOS watch is headed ❌ No; a plain question keeps ✅ Yes', async () => {
    expect(await text(['ask', 'wear os watch as a linked device on coexistence'])).toMatch(/Co-Existence ❌ No No\. WhatsApp for WearOS/);
    expect(await text(['ask', 'whatsapp web on coex'])).toMatch(/Co-Existence ✅ Yes Yes, up to 4 companion devices/);
  });
});

describe('new topics: found, sourced, and saying what is not confirmed', () => {
  const cases: [string, string, RegExp][] = [
    ['gpt bot allowed on wa still? heard meta banned ai', 'ai-chatbots', /general-purpose AI assistant offered as the product itself is barred/],
    ['display name rejected, how appeal', 'business-profile', /display name goes through Meta's review|display name is reviewed again at onboarding is not stated/],
    ['can customers pay by UPI inside the chat', 'catalog-payments', /Payments inside the chat are not confirmed by any source we read/],
    ['can we run click to whatsapp ads on coexistence', 'ctwa-ads', /72 hours/],
    ['how many agents can use one number, and can we add more numbers', 'multiple-numbers', /business portfolio can hold many API numbers/],
    ['we want to move our number from another BSP to you', 'change-provider', /credit line/],
  ];
  for (const [question, topic, says] of cases) {
    it(`"${question}" → ${topic}`, async () => {
      const a = await json(['ask', question]);
      const shown = a.topic ?? a.clarify?.topics?.[0];
      expect(shown).toBe(topic);
      const t = await text(['ask', question]);
      if (!a.clarify) expect(t).toMatch(says);
      const listed = await topicOf(topic);
      expect(listed.sources.length).toBeGreaterThan(0);
      expect(listed.lastVerified).toBe('2026-12-07');
    });
  }

  it('the new needs weigh in: several numbers leans API-only; payments is a caveat on either setup', async () => {
    const r = await json(['recommend', '--country', 'IN', '--need', 'multiple-numbers']);
    expect(r.setup).toBe('api-only');
    const p = await json(['recommend', '--country', 'IN', '--need', 'phone-app', '--need', 'catalog-payments']);
    expect(p.setup).toBe('coexistence');
    expect(p.caveats).toContainEqual(expect.objectContaining({ need: 'catalog-payments', text: expect.stringMatching(/^Catalog, orders or payments in the chat: only in part\./) }));
  });
});

describe('check-knowledge and the new status', () => {
  it('accepts unconfirmed and refuses any other word, naming the allowed statuses', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'coexist-kb-'));
    cpSync(path.dirname(CORRECTED_KNOWLEDGE_FILE), dir, { recursive: true });
    const ok = await runCli(['check-knowledge', path.join(dir, 'knowledge.yml')], { env: {} });
    expect(ok.code, ok.stderr).toBe(0);
    const topic = path.join(dir, 'topics/backups.yml');
    writeFileSync(topic, readFileSync(topic, 'utf8').replace('status: unconfirmed', 'status: maybe'));
    const bad = await runCli(['check-knowledge', path.join(dir, 'knowledge.yml')], { env: {} });
    expect(bad.code).toBe(2);
    expect(bad.stderr).toMatch(/topics\/backups\.yml:\d+ \(topic backups\): coexistence\.status: .*"unconfirmed"/);
  });
});
