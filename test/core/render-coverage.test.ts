import { describe, expect, it } from 'vitest';
import { formatReply } from '../../adapters/plain-text.ts';
import { slackMessage } from '../../adapters/slack/blocks/reply.ts';
import { teamsCard } from '../../adapters/teams/cards/reply.ts';
import {
  presentHelp,
  presentHistory,
  presentNotHelpful,
  presentReport,
  presentRecheckNote,
  recheck,
  presentSourceChanges,
  LABELS,
  asRecorded,
  presentTopic,
  recommendationWithReply,
  startActions,
  topicPickers,
  route,
  validateRequirements,
  withAskExpert,
  presentExpertQuestion,
  presentExpertAnswer,
  expertNotice,
  expertRelayed,
  presentVerifyReminder,
  topicReview,
  type AnswerReply,
  type Reply,
  type TopicsReply,
} from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// Render coverage: every text field of every reply kind is filled with a sentinel of its own, each renderer draws
// the reply, and the test fails unless each sentinel is in what the renderer drew, or the renderer opts out of that
// field by name below (with the reason). A field added to a reply type is a text nobody draws until a renderer does:
// this is where that shows.

const kb = fixtureKnowledge();
const NOW = new Date(Date.UTC(2026, 11, 7, 12));

/**
 * Not text a person reads: ids, kinds and states the renderers branch on, and data carried for a later click (an
 * action's payload: each platform's button tests check what it carries).
 */
const NOT_TEXT = new Set(['kind', 'tone', 'channelId', 'topic', 'setup', 'status', 'level', 'id', 'answered', 'picked', 'review', 'platform', 'userId', 'requirements', 'url', 'link', 'publisher', 'payload']);

function sample(): Reply[] {
  const calls = presentTopic(kb, 'calls', 'can customers call us?')!;
  const groups = presentTopic(kb, 'group-chats')!;
  const answer: AnswerReply = { ...calls, warning: { lead: 'The help article is out of date.', claim: 'a claim', correction: 'a correction' }, unsure: 'not sure', stale: 'may be out of date', also: { heading: 'And about groups', answer: { ...groups, stale: 'may be out of date', actions: [] } } };
  // A topic list with a row past its review interval, and a verifier's reminder (src/present/verification.ts).
  const topics = route('topics', kb) as TopicsReply;
  const staleTopics: TopicsReply = { ...topics, rows: topics.rows.map((r, i) => (i === 0 ? { ...r, stale: 'may be out of date' } : r)) };
  const reminder = presentVerifyReminder(kb, topicReview(kb, 'calls', { today: '2030-01-01', verified: new Map() })!, '2026-09-11.abcd1234')!;
  const links = [{ topic: 'calls' as const, title: 'Calls' }, { topic: 'group-chats' as const, title: 'Groups' }];
  const valid = validateRequirements({ customer: 'Acme', country: 'IN', agents: 12, dailyMessages: 5000, peakMps: 30, needs: ['calls', 'group-chats', 'phone-app'], notes: 'some notes' });
  if (!valid.ok) throw new Error('sample requirements');
  const { recommendation, reply: recommendationReply } = recommendationWithReply(valid.requirements, kb);
  const history = presentHistory([{ id: 'R1', createdAt: NOW, platform: 'slack', userId: 'U1', customer: 'Acme', setup: recommendation.setup, confidence: recommendation.confidence, messageLink: 'https://example.slack.com/archives/C1/p1', requirements: valid.requirements }], undefined, undefined);
  const report = presentReport(
    {
      since: new Date(NOW.getTime() - 7 * 86_400_000),
      questions: 10,
      answered: 7,
      unanswered: [{ question: 'unanswered q', count: 2 }],
      lowConfidence: [{ question: 'unsure q', topic: 'calls', count: 1 }],
      feedback: { helpful: 3, notHelpful: 1, corrections: 1 },
      notHelpful: [{ question: 'unhelpful q', topic: 'calls', count: 1 }],
      corrections: [{ question: 'corrected q', answered: 'calls', picked: 'group-chats', count: 1, review: 'pending' }],
      rechecked: [{ id: 'R2', customer: 'Acme', before: { setup: 'api-only', confidence: 'high' }, after: { setup: 'coexistence', confidence: 'medium' }, facts: ['a fact changed'] }],
      sourcesChanged: [{ url: kb.sources[kb.topics[0]!.sources[0]!]!.url, sourceId: kb.topics[0]!.sources[0]!, changedAt: NOW, kind: 'both', updatedBefore: '2026-11-01', updatedAfter: '2026-12-01' }],
    },
    kb,
    NOW,
  );
  // A recheck note: a 22 MPS customer made with Co-Existence capped at 20, rechecked with 25.
  const capped = validateRequirements({ customer: 'Acme', country: 'IN', agents: 2, peakMps: 22, needs: ['phone-app'] });
  if (!capped.ok) throw new Error('sample requirements');
  const raised = structuredClone(kb);
  raised.offerPolicy.coexistence.mps = 25;
  const made = recommendationWithReply(capped.requirements, kb).recommendation;
  const note = presentRecheckNote({ id: 'R2', customer: 'Acme', createdAt: NOW, recommendation: made }, recheck({ recommendation: made }, raised));
  // Source watch: one page changed (cited by topics), one no topic cites any more.
  const sourceChanges = presentSourceChanges(
    [
      { url: kb.sources[kb.topics[0]!.sources[0]!]!.url, sourceId: kb.topics[0]!.sources[0]!, changedAt: NOW, kind: 'content', updatedBefore: null, updatedAfter: null },
      { url: 'https://example.test/gone', sourceId: null, changedAt: NOW, kind: 'updated-date', updatedBefore: '2026-11-01', updatedAfter: '2026-12-01' },
    ],
    kb,
  );
  return [
    note,
    // As answered to a recorded question: with its Helpful / Not helpful.
    asRecorded(answer, 'Q1'),
    { kind: 'off-topic', message: 'no idea', hint: 'ask a person', question: 'what?', confidence: 0.1, topics: links, examples: ['an example'], actions: [...topicPickers(links, 'what?'), ...startActions()], summary: 's' },
    { kind: 'off-topic', message: 'no idea', hint: 'ask a person', question: 'what?', confidence: 0.1, topics: [], examples: ['an example'], actions: startActions(), summary: 's' },
    { kind: 'clarify', message: 'which?', question: 'calls groups', topic: 'calls', confidence: 0.4, topics: links.map((l) => ({ ...l, asks: 'asks this' })), actions: topicPickers(links, 'calls groups'), summary: 's' },
    route('hello', kb),
    presentHelp(kb),
    route('topics', kb),
    route('compare', kb),
    route('recommend Acme', kb),
    recommendationReply,
    history,
    presentHistory([], 'Nobody Inc', undefined),
    presentNotHelpful(kb, 'can customers call us?', 'calls'),
    report,
    sourceChanges,
    presentReport({ since: NOW, questions: 0, answered: 0, unanswered: [], lowConfidence: [], feedback: { helpful: 0, notHelpful: 0, corrections: 0 }, notHelpful: [], corrections: [] }, kb, NOW),
    // Ask an expert: offered on a decline, Which do you mean?, an unsure answer and after Not helpful.
    withAskExpert({ kind: 'off-topic', message: 'no idea', hint: 'ask a person', question: 'what?', confidence: 0.1, topics: [], examples: ['an example'], actions: startActions(), summary: 's' }),
    withAskExpert(presentNotHelpful(kb, 'can customers call us?', 'calls')),
    asRecorded(withAskExpert({ ...calls, confidence: 0.3 }), 'Q2'),
    presentExpertQuestion(kb, { id: '0000000000000000', question: 'can <!channel> call?', asker: { platform: 'slack', userId: 'U1', name: 'Ann' }, answered: 'calls', topics: links, at: NOW }),
    presentExpertQuestion(kb, { id: '0000000000000000', question: 'can we call?', asker: { platform: 'teams', userId: 'aad-1', name: 'Ann' }, answered: null, topics: [], at: NOW }),
    presentExpertAnswer({ question: 'can we call?', answer: 'yes, on the API', by: { platform: 'slack', userId: 'U2', name: 'Bo' }, at: NOW }),
    expertNotice('problem', 'could not post', { question: 'can we call?', channel: { platform: 'slack', channelId: 'C123456' } }),
    expertRelayed('0000000000000000', 'can we call?', links),
    staleTopics,
    reminder,
  ];
}

const isAction = (x: unknown): x is { id: string } => Boolean(x && typeof x === 'object' && 'id' in x && 'label' in x);

/** Every text leaf replaced by a sentinel; returns the reply and which sentinel stands for which field (path). */
function withSentinels(reply: Reply): { reply: Reply; fields: Map<string, string> } {
  const fields = new Map<string, string>();
  let n = 0;
  const walk = (v: unknown, path: string): unknown => {
    if (typeof v === 'string') {
      const s = `zq${(n++).toString(36)}qz`;
      fields.set(s, path);
      return s;
    }
    // An action is named by its id ("answer.actions[share].label"): a renderer may leave out one action by name.
    if (Array.isArray(v)) return v.map((x) => walk(x, isAction(x) ? `${path}[${x.id}]` : `${path}[]`));
    if (v && typeof v === 'object' && !(v instanceof Date)) return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, NOT_TEXT.has(k) ? x : walk(x, path ? `${path}.${k}` : k)]));
    return v;
  };
  return { reply: walk(reply, reply.kind) as Reply, fields };
}

/** The fields a renderer drew none of, over every sample: a field counts as drawn when any of its values is drawn. */
function undrawn(replies: Reply[], draw: (r: Reply) => unknown): string[] {
  const all = new Set<string>();
  const drawn = new Set<string>();
  for (const reply of replies) {
    const { reply: filled, fields } = withSentinels(reply);
    const out = JSON.stringify(draw(filled));
    for (const [s, path] of fields) {
      all.add(path);
      if (out.includes(s)) drawn.add(path);
    }
  }
  return [...all].filter((p) => !drawn.has(p)).sort();
}

const RENDERERS: Record<string, (r: Reply) => unknown> = {
  slack: (r) => slackMessage(r, 'ephemeral', { feedback: { question: 'Q1' } }),
  teams: (r) => teamsCard(r, kb, { feedback: { question: 'Q1' }, correct: { question: 'Q1' }, viewer: 'U2' }),
  terminal: (r) => formatReply(r),
};

/** Fields every renderer leaves out, by name (`*` stands for any kind or part). */
const NOBODY_DRAWS = [
  // A second topic's answer is introduced by also.heading, not by its own title and summary.
  'answer.also.answer.title',
  'answer.also.answer.summary',
  // The topic list names each topic; its setups' cells and labels are the comparison's.
  'topics.rows[].label',
  'topics.rows[].note',
  'topics.rows[].cells.*.text',
  // The history's title and empty line already name the customer searched for (the core writes them).
  'history.customer',
  // The topic a correction picked is named by its Accept action's label ("Accept: Voice & video calls"), which the core writes.
  'report.sections[].lines[].correction.pickedTitle',
];

/** Fields a renderer leaves out, by name, each with why. Listing a field that is drawn fails too (the list stays true). */
const OPT_OUT: Record<keyof typeof RENDERERS, Record<string, string>> = {
  slack: {
    'off-topic.topics[].title': 'drawn as the labels of its topic actions (a button per topic)',
    'not-helpful.topics[].title': 'drawn as the labels of its topic actions (a button per topic)',
    'topics.actions[*].label': 'the topic list is a message to read, with how to ask about a topic under it',
    'answer.sides[].details': 'drawn when the person presses More details (the answer is drawn again with details: true)',
    'answer.also.answer.sides[].details': 'the same, for the second topic',
    'comparison.rows[].title': 'the comparison table names each row by its label',
    'comparison.rows[].note': 'not drawn in the table',
    'comparison.rows[].cells.*.icon': 'a cell is drawn by its text',
    'comparison.sources[].title': 'not drawn by any renderer today (found by this test): each answer shows the sources of its own topic',
    'form.customer': 'it prefills the modal the button opens',
    'recommendation.rows[].label': 'the recommendation lists the rows by title',
    'recommendation.rows[].cells.*.text': 'a row whose cells are both statuses is drawn as their two icons and its title',
  },
  teams: {
    'comparison.rows[].title': 'the comparison table names each row by its label',
    'comparison.rows[].note': 'not drawn in the table',
    'comparison.rows[].cells.*.icon': 'a cell is drawn by its text',
    'comparison.sources[].title': 'not drawn by any renderer today (found by this test): each answer shows the sources of its own topic',
    'comparison.summary': 'the card writes its own fallback text (title and row count)',
    'form.summary': 'the form card has its own fallback text',
    'recommendation.rows[].title': 'the recommendation lists the rows by label',
    'recommendation.rows[].note': 'not drawn',
    'recommendation.rows[].cells.*.icon': 'a cell is drawn by its text',
    'off-topic.topics[].title': 'drawn as the labels of its topic actions (a button per topic)',
    'not-helpful.topics[].title': 'drawn as the labels of its topic actions (a button per topic)',
    'answer.actions[share].label': "a card is shared with Teams' own Forward; the bot has no Share (cards/reply-actions.ts)",
    'comparison.actions[share].label': "the same: Teams' own Forward",
    'report.actions[training-lines].label': 'exported on the command line (coexist-advisor report --export-training): a card has no view to show them in',
    'form.actions[recommend].label': 'a chat draws the form itself (its own Recommend submits it); Slack, which opens it in a modal, needs the button in a DM',
  },
  terminal: {
    '*.actions[*].label': 'a terminal has no buttons: it says what to type instead',
    '*.summary': 'the summary is a notification and fallback text; a terminal has neither',
    'answer.question': 'the person has just typed it',
    'off-topic.question': 'the person has just typed it',
    'not-helpful.question': 'the person has just typed it',
    'comparison.title': 'the table speaks for itself in a terminal',
    'comparison.rows[].title': 'the table names each row by its label',
    'comparison.rows[].note': 'not drawn in the table',
    'comparison.rows[].cells.*.icon': 'a cell is drawn by its text',
    'comparison.sources[].title': 'not drawn by any renderer today (found by this test): each answer shows the sources of its own topic',
    'recommendation.icon': 'no emoji in a terminal',
    'recommendation.sections[].icon': 'no emoji in a terminal',
    'recommendation.rows[].title': 'the recommendation lists the rows by label',
    'recommendation.rows[].note': 'not drawn',
    'recommendation.rows[].cells.*.icon': 'a cell is drawn by its text',
    'history.entries[].icon': 'no emoji in a terminal',
    'recheck-note.*.icon': 'no emoji in a terminal',
    'history.entries[].confidence.text': 'the terminal shows the confidence level',
    'report.*': 'the CLI prints the report from the store itself (`coexist-advisor report`, adapters/cli/store-commands.ts)',
  },
};

const matches = (pattern: string, path: string): boolean =>
  new RegExp(`^${pattern.replace(/[.[\]]/g, (c) => `\\${c}`).replace(/\*/g, '[^.]+(?:\\.[^.]+)*?')}$`).test(path);

/** What each renderer draws as a button: Slack's button texts, a card's action titles. */
const BUTTON_TEXTS: Record<'slack' | 'teams', (drawn: unknown) => string[]> = {
  slack: (drawn) => JSON.stringify(drawn).match(/"type":"button","text":\{"type":"plain_text","text":"([^"]*)"/g)?.map((m) => m.replace(/^.*"text":"/, '').slice(0, -1)) ?? [],
  teams: (drawn) => JSON.stringify(drawn).match(/"type":"Action\.[A-Za-z]+","title":"([^"]*)"/g)?.map((m) => m.replace(/^.*"title":"/, '').slice(0, -1)) ?? [],
};

describe('actions: a renderer draws the actions a reply carries and no others', () => {
  // The history's actions are its entries' (Open, Edit).
  const actionable = sample().filter((r) => 'actions' in r || (r.kind === 'history' && r.entries?.length));

  it('the replies that carry actions', () => {
    expect([...new Set(actionable.map((r) => r.kind))].sort()).toEqual(['answer', 'clarify', 'comparison', 'expert-answer', 'expert-notice', 'expert-question', 'form', 'greeting', 'help', 'history', 'not-helpful', 'off-topic', 'recheck-note', 'recommendation', 'report', 'source-changes', 'topics', 'verify-reminder']);
  });

  it.each(['slack', 'teams'] as const)('every button %s draws on a reply that carries actions is one of them', (name) => {
    const invented: string[] = [];
    let buttons = 0;
    for (const reply of actionable) {
      const { reply: filled, fields } = withSentinels(reply);
      const texts = BUTTON_TEXTS[name](RENDERERS[name]!(filled));
      buttons += texts.length;
      // A button's text is an action's label (Teams puts 👍 before Helpful; Slack names Share in a thread).
      for (const t of texts) if (!/actions\[[a-z-]+\]\.label$/.test(fields.get(t.match(/zq[0-9a-z]+qz/)?.[0] ?? '') ?? '')) invented.push(`${reply.kind}: ${t}`);
    }
    expect(buttons).toBeGreaterThan(8);
    // Teams draws the form itself in the chat: its own submit button is part of the form, not an action of a reply.
    expect(invented.filter((b) => !(name === 'teams' && b === `form: ${LABELS.submitForm}`)), 'buttons drawn that the reply does not carry').toEqual([]);
  });
});

describe('render coverage: every renderer draws every field of every reply, or opts out by name', () => {
  const replies = sample();

  it('the samples cover every kind of reply', () => {
    const kinds: Reply['kind'][] = ['answer', 'off-topic', 'clarify', 'greeting', 'help', 'topics', 'comparison', 'form', 'recommendation', 'history', 'not-helpful', 'report', 'recheck-note', 'expert-question', 'expert-answer', 'expert-notice', 'source-changes', 'verify-reminder'];
    expect([...new Set(replies.map((r) => r.kind))].sort()).toEqual([...kinds].sort());
  });

  it.each(Object.keys(RENDERERS))('%s draws every field it does not opt out of, and opts out only of fields it does not draw', (name) => {
    const optOut = [...NOBODY_DRAWS, ...Object.keys(OPT_OUT[name]!)];
    const missing = undrawn(replies, RENDERERS[name]!);
    expect(missing.filter((path) => !optOut.some((p) => matches(p, path))), `not drawn by ${name}: draw it, or opt out by name with why`).toEqual([]);
    expect(optOut.filter((p) => !missing.some((path) => matches(p, path))), `${name} opts out of these but draws them: remove them from its list`).toEqual([]);
  });
});
