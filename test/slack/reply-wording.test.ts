import { describe, expect, it } from 'vitest';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { useSlackHost } from '../helpers/slack-host.ts';
import { filledModal, type ModalAnswers } from '../helpers/slack-modal.ts';

// What a person noticed in a real client (issue 11), as an agent or a salesperson sees it in Slack: signed requests
// to the real product, a fake Web API, the frozen fixture knowledge.

const host = useSlackHost();


type Block = Record<string, any>;
const json = (v: unknown) => JSON.stringify(v);

async function recommendation(answers: ModalAnswers): Promise<Block[]> {
  expect((await host.slack.command('recommend')).status).toBe(200);
  const [open] = await host.fake.waitFor('views.open');
  const view = open!.args.view as Block;
  expect((await host.slack.submit(view, filledModal(view, answers))).status).toBe(200);
  const [posted] = await host.fake.waitFor('chat.postMessage');
  return posted!.args.blocks as Block[];
}

/** The answer's setup sections in the order shown: 'Co-Existence' / 'API only'. */
const setupOrder = (blocks: Block[]) =>
  blocks.filter((b) => b.type === 'section').map((b) => /^\*(Co-Existence|API only)\*/.exec(b.text.text)?.[1]).filter(Boolean);

describe('need labels are written as the knowledge writes them', () => {
  it('"CRM integration" and "Google Drive / iCloud chat backups" keep their capitals in the posted recommendation', async () => {
    const blocks = await recommendation({ country: 'IN', agents: '2', needs: ['automation', 'crm-integration', 'chat-backups', 'calls'] });
    const all = json(blocks);
    expect(all).toMatch(/Both setups cover these needs: Chatbots and automated workflows and CRM integration\./);
    for (const need of fixtureKnowledge().needs) {
      const lowered = need.label.charAt(0).toLowerCase() + need.label.slice(1);
      if (lowered !== need.label) expect(all).not.toContain(lowered);
    }
  });
});

describe('no unexplained marker in a comparison', () => {
  it('the full comparison names the help-article verdict on its row instead of a bare "*"', async () => {
    await host.slack.command('compare');
    const [resp] = await host.fake.waitFor('response_url');
    const table = (resp!.args.blocks as Block[]).find((b) => b.type === 'table')!;
    const titles = (table.rows as Block[][]).slice(1).map((r) => r[0]!.text as string);
    expect(titles).toContain('Voice & video calls (help article outdated)');
    for (const t of titles) expect(t).not.toMatch(/\*/);
    expect(json(resp!.args.blocks)).not.toMatch(/\\\* the provider help article|· \* the/);
  });

  it('the recommendation\'s comparison rows say the same', async () => {
    const blocks = await recommendation({ country: 'IN', needs: ['calls'] });
    const rows = blocks.find((b) => b.type === 'section' && /How the setups compare here/.test(b.text.text))!.text.text as string;
    expect(rows).toMatch(/\*Voice &amp; video calls\* \(help article outdated\)/);
    expect(rows).not.toMatch(/ \*$/m);
  });
});

describe('an answer leads with the setup the question asked about', () => {
  it('"can we make calls with the api?" shows API only first, then Co-Existence', async () => {
    const body = (await host.slack.command('can we make calls with the api?')).json();
    expect(setupOrder(body.blocks)).toEqual(['API only', 'Co-Existence']);
    expect(body.text).toMatch(/^Voice &amp; video calls: API only ❌ No, Co-Existence ✅ Yes/);
  });

  it('a question about Co-Existence, or about neither, shows Co-Existence first', async () => {
    expect(setupOrder((await host.slack.command('can we make calls with coexistence?')).json().blocks)).toEqual(['Co-Existence', 'API only']);
    expect(setupOrder((await host.slack.command('calls')).json().blocks)).toEqual(['Co-Existence', 'API only']);
  });

  it('More details keeps the order the question asked for', async () => {
    const body = (await host.slack.command('can we make calls with the api?')).json();
    const details = (body.blocks as Block[]).flatMap((b) => b.elements ?? []).find((e: Block) => e.action_id === 'toggle_details');
    await host.slack.click({ action_id: 'toggle_details', value: details.value });
    const [replaced] = await host.fake.waitFor('response_url');
    expect(setupOrder(replaced!.args.blocks)).toEqual(['API only', 'Co-Existence']);
  });

  it('in a DM too', async () => {
    await host.slack.event({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U_AGENT', text: 'can we make calls with the api?', ts: '1.1' });
    const [said] = await host.fake.waitFor('chat.postMessage');
    expect(setupOrder(said!.args.blocks)).toEqual(['API only', 'Co-Existence']);
  });
});

describe('a greeting gets a greeting', () => {
  for (const hello of ['hi', 'hello', 'namaste', 'good morning']) {
    it(`/coexist-vs-api ${hello}: a greeting and examples, not the off-topic reply`, async () => {
      const body = (await host.slack.command(hello)).json();
      const all = json(body.blocks);
      expect(all).toMatch(/👋 Hi!/);
      expect(all).toMatch(/`\/coexist-vs-api calls`/);
      expect(all).not.toMatch(/thinking_face|🤔|I only know about/);
    });
  }

  it('"hello" in a DM', async () => {
    await host.slack.event({ type: 'message', channel_type: 'im', channel: 'D1', user: 'U_AGENT', text: 'Hello!', ts: '1.2' });
    const [said] = await host.fake.waitFor('chat.postMessage');
    expect(json(said!.args.blocks)).toMatch(/👋 Hi!/);
    expect(json(said!.args.blocks)).not.toMatch(/I only know about/);
  });
});

describe('the help-article warning is readable', () => {
  it('is a section of normal text with ⚠️, not a small grey context line', async () => {
    const body = (await host.slack.command('delete for everyone')).json();
    const blocks = body.blocks as Block[];
    const warning = blocks.find((b) => json(b).includes('help article is outdated here'))!;
    expect(warning.type).toBe('section');
    expect(warning.text.text).toMatch(/^⚠️ \*The help article is outdated here\.\*/);
  });
});

describe('a status means something for its row, or the row shows words', () => {
  it('Pricing and "Who each setup suits" show words in the comparison table', async () => {
    await host.slack.command('compare');
    const [resp] = await host.fake.waitFor('response_url');
    const table = (resp!.args.blocks as Block[]).find((b) => b.type === 'table')!;
    for (const title of ['Pricing', 'Who each setup suits']) {
      const row = (table.rows as Block[][]).find((r) => r[0]!.text === title)!;
      expect(row, title).toBeDefined();
      for (const cell of row.slice(1)) {
        expect(cell.text).not.toMatch(/✅|❌|⚠️|Yes|Partly|^No/);
        expect(cell.text.length).toBeGreaterThan(10);
      }
    }
  });

  it('the answer about pricing shows no status beside either setup', async () => {
    const body = (await host.slack.command('pricing')).json();
    const sides = (body.blocks as Block[]).filter((b) => b.type === 'section' && /^\*(Co-Existence|API only)\*/.test(b.text.text));
    expect(sides).toHaveLength(2);
    for (const s of sides) expect(s.text.text.split('\n')[0]).not.toMatch(/✅|❌|⚠️/);
  });
});
