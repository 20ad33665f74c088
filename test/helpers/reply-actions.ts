import type { ReplyAction, ReplyActionId } from '../../src/index.ts';

/** One action of each id a reply can carry (the type fails when an id is added without a sample). */
export const SAMPLE_ACTIONS: { [Id in ReplyActionId]: Extract<ReplyAction, { id: Id }> } = {
  share: { id: 'share', label: 'Share in channel', payload: { topic: 'calls', question: 'can we call?', details: false } },
  details: { id: 'details', label: 'More details', payload: { topic: 'calls', details: true } },
  compare: { id: 'compare', label: 'Compare all features' },
  recommend: { id: 'recommend', label: 'Recommend a setup' },
  topic: { id: 'topic', label: 'Calls', payload: { topic: 'calls', question: 'can we call?' } },
  correct: { id: 'correct', label: 'Calls', payload: { question: 'Q1', picked: 'calls', answered: null, text: 'can we call?' } },
  edit: { id: 'edit', label: 'Edit requirements', payload: { requirements: { customer: 'Acme', country: 'IN', agents: 3, dailyMessages: 100, peakMps: 1, needs: ['calls'] } } },
  open: { id: 'open', label: 'Open', payload: { recommendation: '7K2M9QXA' } },
  review: { id: 'review', label: 'Accept: Calls', payload: { question: 'can we call?', picked: 'calls', verdict: 'accepted' } },
  'training-lines': { id: 'training-lines', label: 'Accepted corrections as training lines' },
  'open-updated': { id: 'open-updated', label: 'Open the updated recommendation', payload: { recommendation: '7K2M9QXA', requirements: { customer: 'Acme', country: 'IN', peakMps: 22, needs: ['phone-app'] } } },
  feedback: { id: 'feedback', label: 'Not helpful', payload: { question: 'Q1', topic: 'calls', rating: 'not-helpful', text: 'can we call?' } },
  'ask-expert': { id: 'ask-expert', label: 'Ask an expert', payload: { question: 'can we call?', answered: null } },
  'save-phrasing': { id: 'save-phrasing', label: 'Save as a phrasing of: Calls', payload: { expertQuestion: '0000000000000000', topic: 'calls' } },
  'new-topic': { id: 'new-topic', label: 'Needs a new topic', payload: { expertQuestion: '0000000000000000' } },
  verify: { id: 'verify', label: 'Still correct', payload: { topic: 'calls', version: '2026-11-25.3f9a2c1d' } },
  'needs-change': { id: 'needs-change', label: 'Needs a change', payload: { topic: 'calls', version: '2026-11-25.3f9a2c1d' } },
};
