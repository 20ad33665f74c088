import { SETUP_NAMES, type GreetingReply, type HelpReply, type TopicsReply } from '../../../src/index.ts';
import { BOT_DISPLAY_NAME } from '../../identity.ts';
import { userText } from '../markdown.ts';
import { card, heading, subtle, text, type Card } from './common.ts';
import { cardActions } from './reply-actions.ts';

// Help, welcome, the greeting and the topic list.

const examples = (list: readonly string[]) => list.map((e) => `- ${userText(e, 200)}`).join('\n');

export function helpCard(reply: HelpReply, welcome = false): Card {
  return card(
    [
      heading(welcome ? `👋 Hi! I am the ${BOT_DISPLAY_NAME}` : reply.title),
      text(reply.intro),
      text(`**Try**\n${examples(reply.examples)}`),
      text(`**Commands**\n${reply.commands.map((c) => `- **${c.usage}**: ${c.what}`).join('\n')}`),
      subtle(`In a channel, mention me first, e.g. @${BOT_DISPLAY_NAME} calls`),
    ],
    cardActions(reply.actions),
    welcome ? 'Hi! Ask me about WhatsApp Co-Existence vs the API' : reply.summary,
  );
}

export function greetingCard(reply: GreetingReply): Card {
  return card([heading(reply.title), text(reply.text), text(examples(reply.examples))], cardActions(reply.actions), reply.summary);
}

export function topicsCard(reply: TopicsReply): Card {
  const line = (r: TopicsReply['rows'][number]) => {
    const cells = [r.cells.coexistence, r.cells['api-only']];
    const icons = cells.every((c) => c.kind === 'status') ? `${cells.map((c) => (c.kind === 'status' ? c.icon : '')).join(' ')} ` : '';
    return `- ${icons}**${r.title}** (${r.topic})${r.stale ? ` ⚠️ _${r.stale}_` : ''}`;
  };
  return card([heading('Topics'), subtle(`${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']}`), text(reply.rows.map(line).join('\n'))], cardActions(reply.actions), reply.summary);
}
