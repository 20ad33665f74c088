import { describe, expect, it } from 'vitest';
import { runCli } from '../helpers/run-cli.ts';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';

// The audit's three big corrections (facts.md section C) as a salesperson sees them in the terminal, on the frozen
// corrected knowledge (test/fixtures/knowledge-corrected/).

const env = { KNOWLEDGE_FILE: CORRECTED_KNOWLEDGE_FILE };
/** The lines of one section of the terminal recommendation ("Why", "Not met by either setup", …), joined. */
const section = (out: string, title: string) => {
  const parts = out.split(/\n\n/);
  const found = parts.find((p) => p.startsWith(`${title}\n`));
  return (found ?? '').replace(/\s+/g, ' ');
};

describe('coexist-advisor recommend, after the audit', () => {
  it('a customer who needs video calls at 200 MPS gets API-only with video calls not met', async () => {
    const r = await runCli(['recommend', '--country', 'IN', '--peak-mps', '200', '--need', 'calls'], { env });
    expect(r.code, r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^Recommendation: WhatsApp Business API only/);
    expect(section(r.stdout, 'Not met by either setup')).toMatch(/• Video calls: no setup gives them on this number\. Meta's Calling API on API-only numbers is voice only, with no video\./);
    const json = JSON.parse((await runCli(['recommend', '--json', '--country', 'IN', '--peak-mps', '200', '--need', 'calls'], { env })).stdout);
    expect(json.unmet).toContainEqual(expect.objectContaining({ need: 'calls', text: expect.stringMatching(/^Video calls:/) }));
  });

  it('a group-chats customer sees the Groups API limits (Official Business Account, 8 participants), not a plain yes', async () => {
    const r = await runCli(['recommend', '--country', 'IN', '--peak-mps', '200', '--need', 'group-chats', '--customer', 'Chai Club'], { env });
    const conflicts = section(r.stdout, 'Conflicts: asked for, not given by this setup');
    expect(conflicts).toMatch(/WhatsApp group chats: Not in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
    expect(section(r.stdout, 'Not met by either setup')).toMatch(/Groups of more than 8 people \(a community group, for example\): no setup gives them/);
    const answer = await runCli(['ask', 'groups api', '--json'], { env });
    const a = JSON.parse(answer.stdout);
    expect(a.topic).toBe('group-chats');
    expect(a.answer.apiOnly.status).toBe('no');
    expect(a.answer.apiOnly.answer).toMatch(/Official Business Accounts, with at most 8 participants/);
  });

  it('a 200 MPS customer is told the three conditions of 1,000 MPS', async () => {
    const r = await runCli(['recommend', '--country', 'IN', '--peak-mps', '200'], { env });
    const changes = section(r.stdout, 'What changes on switching');
    expect(changes).toMatch(/• A peak of 200 messages per second is above API-only's default 80\. Meta raises a number to 1,000 only when all of these hold:/);
    expect(changes).toMatch(/unlimited messaging limit/);
    expect(changes).toMatch(/100,000 unique users outside the customer service window within 24 hours/);
    expect(changes).toMatch(/quality rating is Medium or higher/);
    const mps = await runCli(['ask', 'mps'], { env });
    expect(mps.stdout.replace(/\s+/g, ' ')).toMatch(/Meta raises it to 1,000 only when all of these hold: its business portfolio has an unlimited messaging limit;/);
  });
});
