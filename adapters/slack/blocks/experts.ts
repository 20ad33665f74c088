import type { ExpertAnswerReply, ExpertNoticeReply, ExpertPerson, ExpertQuestionReply } from '../../../src/index.ts';
import { CARRIED } from '../../carried.ts';
import { escapeMrkdwn, truncate, userMrkdwn } from '../text.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { actions, clampBlocks, context, fallbackText, header, section, type Block, type SlackMessage } from './common.ts';
import { slackButtons } from './reply-actions.ts';

// *Ask an expert* in Slack: the question as the experts' channel sees it, the expert's answer relayed to the asker,
// and the notices on the way. The question and the answer are user text: escaped, so `<!channel>` never pings.

const SLACK_USER = /^[UW][A-Z0-9]{2,}$/;

/** A person: a mention of a Slack user id (it is ours, checked), else their name as text. */
function who(p: ExpertPerson): string {
  if (p.platform === 'slack' && SLACK_USER.test(p.userId)) return `<@${p.userId}>`;
  return p.name ? escapeMrkdwn(p.name) : 'someone';
}

const quoted = (text: string, max: number = CARRIED.storedQuestionChars) => `>${userMrkdwn(truncate(text, max)).replace(/\n/g, '\n>')}`;

export function expertQuestionMessage(reply: ExpertQuestionReply): SlackMessage {
  const blocks: Block[] = [
    header(reply.title),
    section(quoted(reply.question)),
    context(`${who(reply.asker)} · ${escapeMrkdwn(reply.asked)}`),
    section(escapeMrkdwn(reply.advisor)),
  ];
  if (reply.topics.length > 0) blocks.push(section(`*${escapeMrkdwn(reply.topicsTitle)}:* ${reply.topics.map((t) => escapeMrkdwn(t.title)).join(' · ')}`));
  blocks.push(context(escapeMrkdwn(reply.hint)));
  const buttons = slackButtons(reply.actions);
  if (buttons.length > 0) blocks.push(actions(buttons, 'expert_question'));
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}

export function expertAnswerMessage(reply: ExpertAnswerReply): SlackMessage {
  const blocks: Block[] = [
    header(reply.title),
    context({ plain: `You asked: “${truncate(reply.question, CARRIED.echoedQuestionChars)}”` }),
    section(userMrkdwn(reply.answer, Math.min(CARRIED.expertAnswerChars, SLACK_LIMITS.sectionText))),
    context(`${who(reply.by)} · ${escapeMrkdwn(reply.answered)}`),
  ];
  const buttons = slackButtons(reply.actions);
  if (buttons.length > 0) blocks.push(actions(buttons));
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}

export function expertNoticeMessage(reply: ExpertNoticeReply): SlackMessage {
  const icon = reply.tone === 'done' ? ':white_check_mark:' : ':warning:';
  const where = reply.channel?.platform === 'slack' && /^[CG][A-Z0-9]{2,}$/.test(reply.channel.channelId) ? ` (<#${reply.channel.channelId}>)` : '';
  const blocks: Block[] = [section(`${icon} ${escapeMrkdwn(reply.message)}${where}`)];
  if (reply.question !== undefined) blocks.push(context({ plain: `Your question: “${truncate(reply.question, CARRIED.echoedQuestionChars)}”` }));
  const buttons = slackButtons(reply.actions);
  if (buttons.length > 0) blocks.push(actions(buttons, 'expert_actions'));
  return { blocks: clampBlocks(blocks), text: fallbackText(reply.summary) };
}
