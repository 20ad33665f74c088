import { describe, expect, it } from 'vitest';
import { TEAMS_ACTIONS, cardActions } from '../../adapters/teams/cards/reply-actions.ts';
import { submitKind } from '../../adapters/teams/submit-verbs.ts';
import { readCorrection } from '../../adapters/teams/submits.ts';
import { REPLY_ACTION_IDS } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { SAMPLE_ACTIONS } from '../helpers/reply-actions.ts';

// The Teams side of the one action registry: each action a reply can carry is a card action a handler answers,
// or is left out by name.

const kb = fixtureKnowledge();
/** Actions Teams does not draw, each with why (cards/reply-actions.ts says the same). */
const LEFT_OUT = { share: "Teams' own Forward shares a card", 'training-lines': 'exported on the command line; a card has no view for them' } as const;

describe('Teams card actions', () => {
  it('every action a reply can carry is a submit with a handler, a toggle on the card, or left out by name', () => {
    expect(Object.keys(TEAMS_ACTIONS).sort()).toEqual([...REPLY_ACTION_IDS].sort());
    for (const action of Object.values(SAMPLE_ACTIONS)) {
      const drawn = cardActions([action], { detailsIds: ['details-coexistence'] });
      if (action.id in LEFT_OUT) {
        expect(drawn, action.id).toEqual([]);
        continue;
      }
      expect(drawn, action.id).toHaveLength(1);
      const [card] = drawn as [{ type: string; title: string; data?: { action?: unknown } }];
      expect(card.title).toContain(action.label);
      if (card.type === 'Action.Submit') expect(submitKind(card.data?.action), `${action.id}'s verb has a handler`).not.toBe('other');
      else expect(card.type).toBe('Action.ToggleVisibility');
    }
  });

  it('a topic picked for a recorded question sends what the correction handler reads back', () => {
    const [card] = cardActions([SAMPLE_ACTIONS.correct]) as [{ data: Record<string, unknown> }];
    expect(readCorrection(card.data, kb)).toEqual({ question: 'Q1', picked: 'calls', text: 'can we call?' });
  });

  it('a card the bot never receives back (the message extension) keeps only what works without a submit', () => {
    const drawn = cardActions(Object.values(SAMPLE_ACTIONS), { detailsIds: ['d'], submits: false }) as { type: string }[];
    expect(drawn.map((a) => a.type)).toEqual(['Action.ToggleVisibility']);
  });
});
