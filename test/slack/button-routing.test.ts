import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ACTIONS } from '../../adapters/slack/blocks/common.ts';
import { answerMessage } from '../../adapters/slack/blocks/answer.ts';
import { slackMessage } from '../../adapters/slack/blocks/reply.ts';
import type { SlackDeps } from '../../adapters/slack/deps.ts';
import { UNKNOWN_BUTTON, actionHandlers, actionIdOf } from '../../adapters/slack/listeners/actions.ts';
import { REPLY_ACTION_IDS, presentComparison, presentHelp, presentTopic, route } from '../../src/index.ts';
import { feedbackBlock, slackButton } from '../../adapters/slack/blocks/reply-actions.ts';
import { SAMPLE_ACTIONS } from '../helpers/reply-actions.ts';
import { clickButton, startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// Slack buttons are routed by their exact action id; an id no handler has is answered, never left to Bolt's 404.

const kb = fixtureKnowledge();

describe('Slack button routing', () => {
  it('every registered action id has a handler, and every handler a registered id', () => {
    const handled = [...actionHandlers({ knowledge: kb } as SlackDeps).keys()].sort();
    expect(handled).toEqual(Object.values(ACTIONS).sort());
  });

  it('every action a reply can carry (src/present/actions.ts) is a Slack button whose id has a handler', () => {
    const handled = new Set<string>(actionHandlers({ knowledge: kb } as SlackDeps).keys());
    expect(Object.keys(SAMPLE_ACTIONS).sort()).toEqual([...REPLY_ACTION_IDS].sort());
    for (const action of Object.values(SAMPLE_ACTIONS)) {
      const button = slackButton(action, { thread: '1700000000.000100' });
      if (action.id === 'feedback') {
        // Not a button: Block Kit's feedback_buttons, drawn from the pair.
        expect(button).toBeUndefined();
        const block = feedbackBlock([{ ...action, label: 'Helpful', payload: { ...action.payload, rating: 'helpful' } }, action]);
        const element = block!.elements[0] as { action_id: string; negative_button: { text: { text: string } } };
        expect(handled.has(element.action_id)).toBe(true);
        expect(element.negative_button.text.text).toBe(action.label);
        continue;
      }
      expect(handled.has(actionIdOf(button!.actionId)), `${action.id} → ${button!.actionId}`).toBe(true);
      expect(button!.text).toBe(action.id === 'share' ? 'Share in thread' : action.label);
    }
  });

  it('every button the renderers draw names a registered action', () => {
    const drawn = [
      slackMessage(presentHelp(kb), 'ephemeral'),
      slackMessage(presentComparison(kb), 'ephemeral'),
      slackMessage(route('recommend', kb), 'ephemeral'),
      answerMessage(presentTopic(kb, 'calls', 'can we do video calls?')!, { audience: 'ephemeral', feedback: { question: 'Q1' } }),
      answerMessage(presentTopic(kb, 'calls')!, { audience: 'shared', sharedBy: 'U1' }),
      slackMessage(route('What is the capital of Peru?', kb), 'ephemeral'),
      slackMessage(route('history', kb), 'ephemeral'),
    ];
    const ids = JSON.stringify(drawn).match(/"action_id":"[^"]*"/g)!.map((m) => m.slice('"action_id":"'.length, -1));
    expect(ids.length).toBeGreaterThan(5);
    const registered = new Set<string>(Object.values(ACTIONS));
    expect(ids.filter((id) => !registered.has(actionIdOf(id)))).toEqual([]);
  });
});

describe('a button from an older version of the app', () => {
  let h: BothPlatforms;
  beforeAll(async () => {
    h = await startBothPlatforms({});
  });
  afterAll(() => stopBothPlatforms(h));

  it.each(['retired_button', 'Open_Topic2', 'open_topic2:calls', '√'])('"%s": acked at once, and the person is told the button is old', async (actionId) => {
    const started = Date.now();
    const res = await clickButton(h, 'U_OLD', { action_id: actionId, value: '{}' });
    expect(res.status).toBe(200);
    // Bolt's own answer to an unhandled action is a 404 after 3 s; ours is the ack. 2.5 s leaves room for a loaded machine.
    expect(Date.now() - started).toBeLessThan(2500);
    const [said] = await h.fake.waitFor('response_url', (args) => args.text === UNKNOWN_BUTTON);
    expect(said!.args).toMatchObject({ response_type: 'ephemeral', replace_original: false });
  });
});
