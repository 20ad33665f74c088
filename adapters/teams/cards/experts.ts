import type { ExpertAnswerReply, ExpertNoticeReply, ExpertPerson, ExpertQuestionReply } from '../../../src/index.ts';
import { CARRIED } from '../../carried.ts';
import { escapeMarkdown, userText } from '../markdown.ts';
import { card, heading, subtle, text, type Card } from './common.ts';
import { cardActions } from './reply-actions.ts';

// *Ask an expert* in Teams: the question as the experts' channel sees it, the expert's answer relayed to the asker,
// and the notices on the way. The question, the answer and people's names are user text: escaped.

/** A person by the name Teams gave (escaped), else by platform. */
const who = (p: ExpertPerson): string => (p.name ? escapeMarkdown(p.name) : p.platform === 'slack' ? 'a Slack user' : 'a Teams user');

export function expertQuestionCard(reply: ExpertQuestionReply): Card {
  return card(
    [
      heading(reply.title),
      text(`“${userText(reply.question, CARRIED.storedQuestionChars)}”`, { spacing: 'Medium' }),
      subtle(`${who(reply.asker)} · ${escapeMarkdown(reply.asked)}`),
      text(escapeMarkdown(reply.advisor)),
      ...(reply.topics.length ? [text(`**${escapeMarkdown(reply.topicsTitle)}:** ${reply.topics.map((t) => escapeMarkdown(t.title)).join(' · ')}`)] : []),
      subtle(escapeMarkdown(reply.hint)),
    ],
    cardActions(reply.actions),
    reply.summary,
  );
}

export function expertAnswerCard(reply: ExpertAnswerReply): Card {
  return card(
    [
      heading(reply.title),
      subtle(`You asked: “${userText(reply.question, CARRIED.echoedQuestionChars)}”`),
      text(userText(reply.answer, CARRIED.expertAnswerChars), { spacing: 'Medium' }),
      subtle(`${who(reply.by)} · ${escapeMarkdown(reply.answered)}`),
    ],
    cardActions(reply.actions),
    reply.summary,
  );
}

export function expertNoticeCard(reply: ExpertNoticeReply): Card {
  return card(
    [
      text(`${reply.tone === 'done' ? '✅' : '⚠️'} ${escapeMarkdown(reply.message)}`, reply.tone === 'problem' ? { color: 'Attention' } : {}),
      ...(reply.question !== undefined ? [subtle(`Your question: “${userText(reply.question, CARRIED.echoedQuestionChars)}”`)] : []),
    ],
    cardActions(reply.actions),
    reply.summary,
  );
}
