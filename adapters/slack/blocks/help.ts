import { SETUP_NAMES, STATUS_ICON, deepFreeze, type Knowledge, type TopicFacts } from '../../../src/index.ts';
import { escapeMrkdwn } from '../text.ts';
import { ACTIONS, actions, context, divider, header, section, type Block } from './common.ts';

// Help, the topic list and the App Home tab.

export const COMMAND = '/coexist-vs-api';

function examples(knowledge: Knowledge): string {
  return knowledge.matching.examples.map((e) => `• \`${COMMAND} ${escapeMrkdwn(e)}\``).join('\n');
}

const startButtons = () =>
  actions([
    { text: 'Recommend a setup', actionId: ACTIONS.recommend, style: 'primary' },
    { text: 'Compare all features', actionId: ACTIONS.compare },
  ]);

/**
 * Remembers a renderer's result per knowledge base: help, topics and Home depend on nothing else, and are sent
 * on every `/coexist-vs-api` without arguments. Results are frozen, so no caller can change the shared copy.
 */
function perKnowledge<T extends object>(render: (knowledge: Knowledge) => T): (knowledge: Knowledge) => T {
  const cache = new WeakMap<Knowledge, T>();
  return (knowledge) => {
    let value = cache.get(knowledge);
    if (!value) {
      value = deepFreeze(render(knowledge));
      cache.set(knowledge, value);
    }
    return value;
  };
}


export const helpBlocks = perKnowledge((knowledge): Block[] => [
    section(
      `*I answer one question: ${SETUP_NAMES.coexistence} (same number on the Business App and the API) or ${SETUP_NAMES['api-only']}?*\n` +
        `Ask me anything about the two setups, and I'll answer for both with sources.`,
    ),
    section(`*Try*\n${examples(knowledge)}`),
    section(
      `*Commands*\n• \`${COMMAND} compare\`: every feature side by side\n• \`${COMMAND} recommend [customer]\`: fill in what the customer needs, post a recommendation\n• \`${COMMAND} topics\`: what I know about`,
    ),
    startButtons(),
]);

export function topicsBlocks(topics: TopicFacts[]): Block[] {
  const lines = topics.map((t) => `${STATUS_ICON[t.coexistence.status]} ${STATUS_ICON[t.apiOnly.status]}  *${escapeMrkdwn(t.title)}*  \`${t.id}\``);
  return [
    section(`*Topics* (${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']})\n${lines.join('\n')}`),
    context(`Ask about one: \`${COMMAND} <topic or question>\``),
  ];
}

export const homeView = perKnowledge((knowledge): Record<string, unknown> => ({
    type: 'home',
    blocks: [
      header(`${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}`),
      section(
        'Support and sales get a correct, sourced answer in seconds, and a formatted recommendation for any customer: *WhatsApp Co-Existence* (same number on the Business App and the Cloud API) or *WhatsApp Business API only*.',
      ),
      divider(),
      section(`*Quick answers* (only you see them, with a button to share)\n${examples(knowledge)}`),
      section(`*Recommendations* for a deal channel\n• \`${COMMAND} recommend Acme\`, or the shortcut *Recommend a WhatsApp setup*\n• Fill in country, volumes and needs; I post the verdict with reasons, conflicts and trade-offs`),
      section('*In a DM* just ask: write your question to me here in Messages.'),
      startButtons(),
      context(`Facts are kept in one knowledge file; each answer shows its sources and when it was last verified.`),
    ],
}));
