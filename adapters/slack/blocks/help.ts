import { SETUP_NAMES, type FormReply, type GreetingReply, type HelpReply, type TopicsReply } from '../../../src/index.ts';
import { escapeMrkdwn } from '../text.ts';
import { slackButtons } from './reply-actions.ts';
import { COMMAND, SHORTCUT_NAMES, actions, context, divider, examplesList, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';

// Help, the greeting, the topic list, the recommendation form's button (in a DM) and the App Home tab.

/** Remembers a message per reply: help, greeting and topics replies are made once per knowledge base. */
function perReply<R extends object, T>(render: (reply: R) => T): (reply: R) => T {
  const cache = new WeakMap<R, T>();
  return (reply) => {
    let value = cache.get(reply);
    if (value === undefined) {
      value = render(reply);
      cache.set(reply, value);
    }
    return value;
  };
}

export const helpMessage = perReply((reply: HelpReply): SlackMessage => ({
  blocks: [
    section(`*${escapeMrkdwn(reply.title)}*\n${escapeMrkdwn(reply.intro)}`),
    section(`*Try*\n${examplesList(reply.examples)}`),
    section(`*Commands*\n${reply.commands.map((c) => `• \`${COMMAND} ${escapeMrkdwn(c.usage)}\`: ${escapeMrkdwn(c.what)}`).join('\n')}`),
    actions(slackButtons(reply.actions)),
  ],
  text: fallbackText(reply.summary),
}));

export const greetingMessage = perReply((reply: GreetingReply): SlackMessage => ({
  blocks: [section(`*${escapeMrkdwn(reply.title)}* ${escapeMrkdwn(reply.text)}`), section(examplesList(reply.examples)), actions(slackButtons(reply.actions))],
  text: fallbackText(reply.summary),
}));

export const topicsMessage = perReply((reply: TopicsReply): SlackMessage => {
  const lines = reply.rows.map((r) => {
    const cells = [r.cells.coexistence, r.cells['api-only']];
    const icons = cells.every((c) => c.kind === 'status') ? `${cells.map((c) => (c.kind === 'status' ? c.icon : '')).join(' ')}  ` : '';
    return `${icons}*${escapeMrkdwn(r.title)}*  \`${r.topic}\`${r.stale ? `  _⚠️ ${escapeMrkdwn(r.stale)}_` : ''}`;
  });
  return {
    blocks: [section(`*Topics* (${SETUP_NAMES.coexistence} · ${SETUP_NAMES['api-only']})\n${lines.join('\n')}`), context(`Ask about one: \`${COMMAND} <topic or question>\``)],
    text: fallbackText(reply.summary),
  };
});

/** In a DM there is no trigger to open the form with: a button that opens it. */
export const formButtonMessage = (reply: FormReply): SlackMessage => ({
  blocks: [actions(slackButtons(reply.actions))],
  text: fallbackText(reply.summary),
});

/** The top of App Home: what the app does and how to start (the rest is the viewer's own: see report.ts). */
export const homeIntro = perReply(
  (help: HelpReply): Block[] => [
      header(`${SETUP_NAMES.coexistence} vs ${SETUP_NAMES['api-only']}`),
      section(
        'Support and sales get a correct, sourced answer in seconds, and a formatted recommendation for any customer: *WhatsApp Co-Existence* (same number on the Business App and the Cloud API) or *WhatsApp Business API only*.',
      ),
      divider(),
      section(`*Quick answers* (only you see them, with a button to share)\n${examplesList(help.examples)}`),
      section(`*Recommendations* for a deal channel\n• \`${COMMAND} recommend Acme\`, or the shortcut *${SHORTCUT_NAMES.recommend}*\n• Fill in country, volumes and needs; I post the verdict with reasons, conflicts and trade-offs`),
      section('*In a DM* just ask: write your question to me here in Messages.'),
      actions(slackButtons(help.actions)),
      context(`Facts are kept in knowledge files a support lead owns; each answer shows its sources and when it was last verified.`),
    ],
);
