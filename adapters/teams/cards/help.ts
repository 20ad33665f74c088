import { SETUP_NAMES, STATUS_ICON, type Knowledge, type TopicFacts } from '../../../src/index.ts';
import { BOT_DISPLAY_NAME } from '../../identity.ts';
import { userText } from '../markdown.ts';
import { SUBMIT, card, heading, submit, subtle, text, type Card } from './common.ts';

// Help, welcome and the topic list.

const startActions = () => [submit('Recommend a setup', { action: SUBMIT.openForm }, 'positive'), submit('Compare all features', { action: SUBMIT.compare })];

export function helpCard(knowledge: Knowledge, welcome = false): Card {
  return card(
    [
      heading(welcome ? `👋 Hi! I am the ${BOT_DISPLAY_NAME}` : 'How to use the advisor'),
      text(`I answer one question: **${SETUP_NAMES.coexistence}** (same number on the Business App and the API) or **${SETUP_NAMES['api-only']}**? Ask me anything about the two setups and I answer for both, with sources.`),
      text(`**Try**\n${knowledge.matching.examples.map((e) => `- ${userText(e, 200)}`).join('\n')}`),
      text('**Commands**\n- **compare**: every feature side by side\n- **recommend [customer]**: fill in what the customer needs, get a recommendation\n- **topics**: what I know about'),
      subtle(`In a channel, mention me first, e.g. @${BOT_DISPLAY_NAME} calls`),
    ],
    startActions(),
    welcome ? 'Hi! Ask me about WhatsApp Co-Existence vs the API' : 'How to use the advisor',
  );
}

export function topicsCard(topics: TopicFacts[]): Card {
  return card(
    [
      heading('Topics'),
      subtle(`${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']}`),
      text(topics.map((t) => `- ${STATUS_ICON[t.coexistence.status]} ${STATUS_ICON[t.apiOnly.status]} **${t.title}** (${t.id})`).join('\n')),
    ],
    startActions(),
    'Topics I know about',
  );
}
