import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { LOW_CONFIDENCE, answer, presentTopic, route } from '../../src/index.ts';
import { startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { fixtureKnowledge, nearDomainQuestion, vagueQuestion, twoTopicsQuestion } from '../helpers/fixtures.ts';
import { buttonsOf } from '../helpers/slack-client.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';

// "Which do you mean?", two questions in one, and the decline with EXPERT_HINT, as a person sees them in Slack:
// signed requests to the running product (its store on SQLite), a fake Web API, the frozen fixture knowledge.

type Block = Record<string, any>;
const kb = fixtureKnowledge();
const titleOf = (topic: string) => presentTopic(kb, topic)!.title;
const HINT = 'Ask in #whatsapp-experts <!channel>';

// Our own questions; each test first checks what the matcher makes of it (the premise), then what the user sees.
const UNSURE = vagueQuestion((q) => route(q, kb).kind === 'clarify');
const UNSURE_DM = vagueQuestion((q) => route(q, kb).kind === 'clarify', 1);
const TWO = twoTopicsQuestion(kb, LOW_CONFIDENCE);
const OFF = 'how do i reset my laptop password';
const NEAR = 'can you translate customer voice notes into english for us';

/** Every text in blocks, in order (section, context, header, button texts). */
function textsOf(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(textsOf);
  if (!value || typeof value !== 'object') return [];
  const o = value as Block;
  if (typeof o.text === 'string') return [o.text];
  return Object.values(o).flatMap(textsOf);
}
const allText = (blocks: Block[]) => textsOf(blocks).join('\n');
/** Our text as mrkdwn shows it. */
const escaped = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;');

describe('Slack: clarify instead of guessing, two topics, the decline', () => {
  let h: BothPlatforms;
  const recorded = async () => {
    await h.product.slack!.drain();
    await h.product.store.recorder.flush();
  };
  const corrections = async (question: string) => {
    await recorded();
    return (await h.product.store.store!.report(new Date(0))).corrections.filter((c) => c.question === question);
  };
  beforeAll(async () => {
    h = await startBothPlatforms({ EXPERT_HINT: HINT });
  });
  afterAll(() => stopBothPlatforms(h));
  beforeEach(() => h.fake.reset());

  /** A click as Slack sends it from the message shown to `user`, answered through the response URL. */
  const click = (user: string, button: Block) =>
    h.slack.interaction({
      type: 'block_actions',
      team: { id: 'T1', domain: 'test' },
      user: { id: user, team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-1',
      container: { type: 'message', channel_id: 'C_DEALS', is_ephemeral: true },
      channel: { id: 'C_DEALS', name: 'deals' },
      response_url: `${h.fake.url}/response/${user}`,
      actions: [{ type: 'button', block_id: 'b', action_id: button.action_id, value: button.value, text: button.text, action_ts: '1.2' }],
    });

  /** The clarifying message: the question first, then the topics as buttons, and no answer text anywhere. */
  function expectClarify(blocks: Block[], question: string): Block[] {
    expect(slackLimitViolations({ blocks })).toEqual([]);
    const r = answer(question, kb);
    expect(blocks[0]).toMatchObject({ type: 'section', text: { type: 'mrkdwn' } });
    expect(blocks[0]!.text.text).toMatch(/Which do you mean\?/);
    expect(blocks.some((b) => b.type === 'header')).toBe(false);
    // No answer: neither setup's heading, nor the best guess's answer text.
    expect(allText(blocks)).not.toMatch(/\*Co-Existence\*|\*API only\*/);
    expect(allText(blocks)).not.toContain(presentTopic(kb, r.topic!)!.sides[0]!.answer.slice(0, 40));
    const buttons = buttonsOf(blocks).filter((b) => b.action_id.startsWith('correct_topic:'));
    const offered = [r.topic!, ...r.alternatives].slice(0, 3);
    expect(buttons.map((b) => b.action_id.split(':')[1])).toEqual(offered);
    expect(buttons.map((b) => b.text.text)).toEqual(offered.map(titleOf));
    expect(allText(blocks)).toContain(`“${question}”`);
    return buttons;
  }

  it('slash command: an unsure question leads with "Which do you mean?" and topic buttons; a pick answers in place and is a correction', async () => {
    const r = answer(UNSURE, kb);
    expect(r.topic !== null && r.confidence < LOW_CONFIDENCE && r.alternatives.length > 0).toBe(true);
    const res = await h.slack.command(UNSURE, { user_id: 'U_CLARIFY' });
    expect(res.status).toBe(200);
    const buttons = expectClarify(res.json().blocks, UNSURE);

    const pick = buttons[1]!;
    const picked = pick.action_id.split(':')[1]!;
    await click('U_CLARIFY', pick);
    const [shown] = await h.fake.waitFor('response_url');
    expect(shown!.args).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(slackLimitViolations(shown!.args)).toEqual([]);
    expect(shown!.args.blocks[0]).toMatchObject({ type: 'header', text: { text: titleOf(picked) } });
    expect(allText(shown!.args.blocks)).toMatch(/\*Co-Existence\*/);
    expect(await corrections(UNSURE)).toEqual([{ question: UNSURE, answered: r.topic, picked, count: 1, review: 'pending' }]);
  });

  it('the question is shown as typed, never as markup', async () => {
    // "channel" is a word the matcher reads: the question is one that stays unsure with the markup appended.
    const question = `${vagueQuestion((q) => route(`${q} <!channel>`, kb).kind === 'clarify')} <!channel>`;
    const r = answer(question, kb);
    expect(r.topic !== null && r.confidence < LOW_CONFIDENCE && r.alternatives.length > 0).toBe(true);
    const blocks: Block[] = (await h.slack.command(question)).json().blocks;
    expect(blocks[0]!.text.text).toMatch(/Which do you mean\?/);
    const quoted = blocks.flatMap((b) => (b.type === 'context' ? b.elements : [])).find((e: Block) => String(e.text).includes('<!channel>'));
    expect(quoted).toMatchObject({ type: 'plain_text' });
  });

  it('a DM: the same question back, and a pick answers and is a correction', async () => {
    const r = answer(UNSURE_DM, kb);
    expect(r.topic !== null && r.alternatives.length > 0).toBe(true);
    await h.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_DMCLARIFY', text: UNSURE_DM, ts: '21.1', event_ts: '21.1' });
    const [posted] = await h.fake.waitFor('chat.postMessage');
    const buttons = expectClarify(posted!.args.blocks, UNSURE_DM);

    const pick = buttons[0]!; // the best guess was meant after all: still a labelled phrasing
    await click('U_DMCLARIFY', pick);
    const [shown] = await h.fake.waitFor('response_url');
    expect(shown!.args.replace_original).toBe(true);
    expect(shown!.args.blocks[0]).toMatchObject({ type: 'header', text: { text: titleOf(r.topic!) } });
    expect(await corrections(UNSURE_DM)).toEqual([{ question: UNSURE_DM, answered: r.topic, picked: r.topic, count: 1, review: 'pending' }]);
  });

  it('two questions in one: both answers, the second under "You also asked about …", within the limits; Share keeps both', async () => {
    const r = answer(TWO, kb);
    if (r.topic === null || !r.also) throw new Error(`premise: "${TWO}" asks two things`);
    const blocks: Block[] = (await h.slack.command(TWO)).json().blocks;
    expect(slackLimitViolations({ blocks })).toEqual([]);
    const texts = textsOf(blocks);
    const main = texts.indexOf(titleOf(r.topic!));
    const also = texts.findIndex((t) => t.includes(escaped(`You also asked about ${titleOf(r.also!.topic)}`)));
    expect(main).toBe(0);
    expect(also).toBeGreaterThan(main);
    // Each topic's own answer, under its own heading.
    const second = presentTopic(kb, r.also!.topic, TWO)!;
    const mainAnswer = presentTopic(kb, r.topic!, TWO)!;
    const at = (s: string) => texts.findIndex((t) => t.includes(escaped(s).slice(0, 30)));
    expect(at(mainAnswer.sides[0]!.answer)).toBeGreaterThan(main);
    expect(at(mainAnswer.sides[0]!.answer)).toBeLessThan(also);
    expect(at(second.sides[0]!.answer)).toBeGreaterThan(also);

    const share = buttonsOf(blocks).find((b) => b.action_id === 'share_in_channel')!;
    await click('U_AGENT', share);
    const [posted] = await h.fake.waitFor('chat.postMessage');
    expect(allText(posted!.args.blocks)).toContain(escaped(`You also asked about ${titleOf(r.also!.topic)}`));
  });

  it('off-topic and near-domain questions are declined with EXPERT_HINT, in the slash command and in a DM', async () => {
    for (const q of [OFF, NEAR]) expect(answer(q, kb).topic).toBeNull();
    const blocks: Block[] = (await h.slack.command(OFF)).json().blocks;
    expect(slackLimitViolations({ blocks })).toEqual([]);
    const text = allText(blocks);
    expect(text).toContain('Not something I cover? Ask in #whatsapp-experts &lt;!channel&gt;');
    expect(text).not.toContain('<!channel>');

    await h.slack.event({ type: 'message', channel: 'D1', channel_type: 'im', user: 'U_AGENT', text: NEAR, ts: '22.1', event_ts: '22.1' });
    const [posted] = await h.fake.waitFor('chat.postMessage');
    expect(allText(posted!.args.blocks)).toContain('Not something I cover? Ask in #whatsapp-experts');
  });
  it('a declined question that came close to topics shows them as buttons after the decline; a pick answers in place and is a correction', async () => {
    const question = nearDomainQuestion((q) => { const r = answer(q, kb); return r.topic === null && r.alternatives.length > 0; });
    const r = answer(question, kb);
    const blocks: Block[] = (await h.slack.command(question, { user_id: 'U_NEAR' })).json().blocks;
    expect(slackLimitViolations({ blocks })).toEqual([]);
    expect(blocks[0]!.text.text).toMatch(/could not match this to a topic I cover/);
    expect(blocks.some((b) => b.type === 'header')).toBe(false);
    expect(allText(blocks)).not.toMatch(/\*Co-Existence\*|\*API only\*/);
    expect(allText(blocks)).toContain('Not something I cover? Ask in #whatsapp-experts');
    const buttons = buttonsOf(blocks).filter((b) => b.action_id.startsWith('correct_topic:'));
    expect(buttons.map((b) => b.action_id.split(':')[1])).toEqual(r.alternatives);
    expect(buttons.map((b) => b.text.text)).toEqual(r.alternatives.map(titleOf));

    await click('U_NEAR', buttons[0]!);
    const [shown] = await h.fake.waitFor('response_url');
    expect(shown!.args).toMatchObject({ response_type: 'ephemeral', replace_original: true });
    expect(shown!.args.blocks[0]).toMatchObject({ type: 'header', text: { text: titleOf(r.alternatives[0]!) } });
    expect(await corrections(question)).toEqual([{ question, answered: null, picked: r.alternatives[0], count: 1, review: 'pending' }]);
  });
});
