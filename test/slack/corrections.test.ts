import { describe, expect, it } from 'vitest';
import { CORRECTED_KNOWLEDGE_FILE } from '../helpers/fixtures.ts';
import { useSlackHost } from '../helpers/slack-host.ts';
import { filledModal, type ModalAnswers } from '../helpers/slack-modal.ts';

// The audit's three big corrections (facts.md section C), and the second audit's "not confirmed" status (section D), as sales see them in Slack: the real product on 127.0.0.1
// answering from the frozen corrected knowledge, signed requests as Slack sends them, and a fake Web API.

const host = useSlackHost({ KNOWLEDGE_FILE: CORRECTED_KNOWLEDGE_FILE });


type Block = Record<string, any>;

/** /coexist-vs-api recommend → fill in the modal → the recommendation posted to the deal channel, as text. */
async function recommendation(answers: ModalAnswers): Promise<string> {
  expect((await host.slack.command('recommend')).status).toBe(200);
  const [open] = await host.fake.waitFor('views.open');
  const view = open!.args.view as Block;
  expect((await host.slack.submit(view, filledModal(view, answers))).status).toBe(200);
  const [posted] = await host.fake.waitFor('chat.postMessage');
  return JSON.stringify(posted!.args.blocks);
}

describe('a salesperson recommends in Slack, after the audit', () => {
  it('a customer who needs video calls at 200 MPS sees video calls under "Not met"', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: ['calls'] });
    expect(all).toMatch(/API only/);
    expect(all).toMatch(/⛔ Not met by either setup\*\\n• Video calls: no setup gives them on this number\. Meta's Calling API on API-only numbers is voice only, with no video\./);
  });

  it('a group-chats customer sees the Groups API limits, not a plain yes', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: ['group-chats'], customer: 'Chai Club' });
    expect(all).toMatch(/WhatsApp group chats: Not in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
    expect(all).toMatch(/Groups of more than 8 people \(a community group, for example\): no setup gives them on this number/);
    const answer = (await host.slack.command('groups api')).json();
    expect(JSON.stringify(answer.blocks)).toMatch(/\*API only\*  ❌ No\\nNot in our current offer\. Meta's Groups API is only for Official Business Accounts, with at most 8 participants per group\./);
  });

  it('an agent asks about chat backups and sees ❔ Not confirmed for Co-Existence, neither ✅ nor ❌ (second audit)', async () => {
    const answer = (await host.slack.command('google drive backup')).json();
    const blocks = JSON.stringify(answer.blocks);
    expect(blocks).toMatch(/\*Co-Existence\*  ❔ Not confirmed\\nOne provider says Drive and iCloud backups stop working as usual; Meta says nothing about backups\./);
    expect(blocks).not.toMatch(/\*Co-Existence\*  (✅|❌)/);
    expect(blocks).toMatch(/\*API only\*  ❌ No/);
  });

  it('a 200 MPS customer is told the three conditions of 1,000 MPS', async () => {
    const all = await recommendation({ country: 'IN', peakMps: '200', needs: [] });
    expect(all).toMatch(/A peak of 200 messages per second is above API-only's default 80\. Meta raises a number to 1,000 only when all of these hold: its business portfolio has an unlimited messaging limit; it reached at least 100,000 unique users outside the customer service window within 24 hours; and its quality rating is Medium or higher\./);
  });
});
