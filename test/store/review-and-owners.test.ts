import { describe, expect, it } from 'vitest';
import { isKnowledgeOwner, reviewCorrection } from '../../adapters/store/answers.ts';
import { REVIEW_SAYS } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// The owner check and a correction's review, once for Slack and Teams (adapters/store/answers.ts). The saving itself
// is checked over both platforms with a real store in the learning-loop suites.

const kb = fixtureKnowledge();
const accept = { question: 'can customers call us?', picked: 'calls', verdict: 'accepted' as const };

describe('a correction review, the same on every surface', () => {
  it('a knowledge owner is named in KNOWLEDGE_OWNERS, whatever the case of the id', () => {
    const owners = new Set(['u_owner', 'aad-0001']);
    expect(isKnowledgeOwner(owners, 'U_OWNER')).toBe(true);
    expect(isKnowledgeOwner(owners, 'AAD-0001')).toBe(true);
    expect(isKnowledgeOwner(owners, 'U_OTHER')).toBe(false);
    expect(isKnowledgeOwner(owners, undefined)).toBe(false);
  });

  it('someone else is refused before the button is even read', async () => {
    expect(await reviewCorrection(undefined, kb, { owner: false, userId: 'U1' }, undefined)).toEqual({ refused: REVIEW_SAYS.notOwner });
  });

  it('an owner with a button that is not a review is told the button is old', async () => {
    expect(await reviewCorrection(undefined, kb, { owner: true, userId: 'U1' }, undefined)).toEqual({ stale: true });
  });

  it('a correction to a topic the knowledge no longer has can only be dismissed', async () => {
    const outcome = await reviewCorrection(undefined, kb, { owner: true, userId: 'U1' }, { ...accept, picked: 'no-such-topic' });
    expect(outcome).toEqual({ refused: REVIEW_SAYS.topicGone('no-such-topic') });
    expect(REVIEW_SAYS.topicGone('no-such-topic')).toMatch(/no longer in the knowledge.*dismiss it instead/);
  });

  it('without a store the review is not saved, and the owner is told so', async () => {
    expect(await reviewCorrection(undefined, kb, { owner: true, userId: 'U1' }, accept)).toEqual({ unsaved: REVIEW_SAYS.unsaved });
  });
});
