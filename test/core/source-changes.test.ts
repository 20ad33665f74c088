import { describe, expect, it } from 'vitest';
import { formatReply } from '../../adapters/plain-text.ts';
import { slackMessage } from '../../adapters/slack/blocks/reply.ts';
import { teamsCard } from '../../adapters/teams/cards/reply.ts';
import { changeWords, latestSourceChangeByTopic, presentReport, presentSourceChanges, shownDate, topicsCiting, type Knowledge, type SourceChange } from '../../src/index.ts';
import { cardProblems, textBlocks } from '../helpers/adaptive-cards.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { mrkdwnStrings, slackLimitViolations } from '../helpers/slack-limits.ts';

// What a changed cited page means (the topics it makes due) and says (the verifiers' message, the report's section),
// drawn within each platform's limits with the knowledge's text escaped.

const kb = fixtureKnowledge();
const NOW = new Date(Date.UTC(2026, 11, 8, 6));
const callsSource = kb.topics.find((t) => t.id === 'calls')!.sources[0]!;
const change = (over: Partial<SourceChange> = {}): SourceChange => ({ url: kb.sources[callsSource]!.url, sourceId: callsSource, changedAt: NOW, kind: 'content', updatedBefore: null, updatedAfter: null, ...over });

describe('which topics a changed page makes due', () => {
  it('every topic citing the page, by the newest change', () => {
    const citing = topicsCiting(kb, kb.sources[callsSource]!.url).map((t) => t.id);
    expect(citing).toContain('calls');
    expect(citing.every((id) => kb.topics.find((t) => t.id === id)!.sources.includes(callsSource))).toBe(true);
    const older = new Date(NOW.getTime() - 86_400_000);
    const due = latestSourceChangeByTopic(kb, [change({ changedAt: older }), change()]);
    expect([...due.keys()].sort()).toEqual([...citing].sort());
    expect(due.get('calls')).toEqual(NOW);
    expect(latestSourceChangeByTopic(kb, [change({ url: 'https://example.test/uncited' })]).size).toBe(0);
  });
});

describe('what a change says', () => {
  it('names what changed, with dates as people read them', () => {
    expect(shownDate('2026-11-28T10:00:00+00:00')).toBe('28 Nov 2026');
    expect(shownDate('November 25, 2026')).toBe('November 25, 2026');
    expect(changeWords(change({ kind: 'updated-date', updatedBefore: '2026-11-01', updatedAfter: '2026-12-01' }))).toBe('Seen 8 Dec 2026: its “Updated” date went from 1 Nov 2026 to 1 Dec 2026; its text reads the same.');
    expect(changeWords(change({ kind: 'both', updatedBefore: null, updatedAfter: '2026-12-01' }))).toBe('Seen 8 Dec 2026: its text changed and it now says “Updated” 1 Dec 2026.');
    expect(changeWords(change({ kind: 'content' }))).toBe('Seen 8 Dec 2026: its text changed.');
  });

  it("lists each page once (its newest change) in the message and in the report's section", () => {
    const older = change({ changedAt: new Date(NOW.getTime() - 3_600_000), kind: 'updated-date', updatedAfter: '2026-11-30' });
    const reply = presentSourceChanges([older, change()], kb);
    expect(reply.title).toBe('A page our answers cite has changed');
    expect(reply.changes).toHaveLength(1);
    expect(reply.changes[0]).toMatchObject({ title: kb.sources[callsSource]!.title, what: 'Seen 8 Dec 2026: its text changed.' });
    const report = presentReport({ since: NOW, questions: 0, answered: 0, unanswered: [], lowConfidence: [], feedback: { helpful: 0, notHelpful: 0, corrections: 0 }, notHelpful: [], corrections: [], sourcesChanged: [older, change()] }, kb, NOW);
    const section = report.sections.find((s) => s.id === 'sources-changed')!;
    expect(section.lines).toEqual([{ question: kb.sources[callsSource]!.title, count: 2, note: expect.stringMatching(/^Seen 8 Dec 2026: its text changed\. Cited by .*Voice/) }]);
    // Without the store's count of changes, no section.
    const { sourcesChanged: _, ...withoutSources } = { since: NOW, questions: 0, answered: 0, unanswered: [], lowConfidence: [], feedback: { helpful: 0, notHelpful: 0, corrections: 0 }, notHelpful: [], corrections: [], sourcesChanged: [] };
    expect(presentReport(withoutSources, kb, NOW).sections.map((s) => s.id)).not.toContain('sources-changed');
  });
});

describe('drawn on every surface, escaped and within limits', () => {
  // A sources.yml title with markup, a mention and markdown: the knowledge's text, never ours to trust.
  const hostile: Knowledge = structuredClone(kb);
  hostile.sources[callsSource]!.title = '<!channel> <at>All</at> **Calls** [x](https://evil.test) |pipe';
  const many = Array.from({ length: 60 }, (_, i) => change({ url: `https://developers.facebook.com/doc/${i}`, sourceId: null }));
  const replies = [presentSourceChanges([change()], hostile), presentSourceChanges(many, hostile)];

  it('Slack: no mention can form, within block and text limits', () => {
    for (const reply of replies) {
      const message = slackMessage(reply, 'dm');
      expect(slackLimitViolations(message as never)).toEqual([]);
      for (const t of mrkdwnStrings(message.blocks)) expect(t).not.toMatch(/<!channel>|<https:\/\/evil/);
    }
    const first = JSON.stringify(slackMessage(replies[0]!, 'dm').blocks);
    expect(first).toContain('&lt;!channel&gt;');
    expect(first).toContain(`<${kb.sources[callsSource]!.url}|`);
  });

  it('Teams: a valid card of version ≤ 1.5, the title escaped, within the byte budget', () => {
    for (const reply of replies) {
      const card = teamsCard(reply, kb);
      expect(cardProblems(card)).toEqual([]);
      expect(Buffer.byteLength(JSON.stringify(card))).toBeLessThanOrEqual(24 * 1024);
    }
    const texts = textBlocks(teamsCard(replies[0]!, kb)).join('\n');
    expect(texts).toContain('\\*\\*Calls\\*\\*');
    expect(texts).not.toContain('<at>');
    expect(texts).toContain(`](${kb.sources[callsSource]!.url})`);
  });

  it('plain text: each page with its address and the topics due', () => {
    const text = formatReply(replies[0]!);
    expect(text).toContain(kb.sources[callsSource]!.url);
    expect(text).toMatch(/Due for verification: .*Voice/);
  });
});
