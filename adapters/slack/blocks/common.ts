import type { ActionsBlock, Button, ContextBlock, DividerBlock, HeaderBlock, KnownBlock, SectionBlock } from '@slack/types';
import type { Source } from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { escapeMrkdwn, mrkdwn, plain, truncate } from '../text.ts';

// Small pure builders shared by the renderers, typed with @slack/types.

export type Block = KnownBlock;

export const COMMAND = '/coexist-vs-api';

export const ACTIONS = {
  share: 'share_in_channel',
  details: 'toggle_details',
  topic: 'open_topic',
  compare: 'show_compare',
  recommend: 'open_recommend_modal',
  edit: 'edit_requirements',
  feedback: 'answer_feedback',
  /** A topic picked after "Not helpful": a correction. */
  correct: 'correct_topic',
  /** A history entry, in full / as a new form. */
  openRecommendation: 'open_recommendation',
  editRecommendation: 'edit_recommendation',
  /** The report's Accept / Dismiss on a correction, and its accepted corrections as training lines. */
  review: 'review_correction',
  trainingLines: 'show_training_lines',
  /** A recheck note's: the recommendation made again under today's knowledge. */
  openUpdated: 'open_updated_recommendation',
  /** *Ask an expert*; and, on an expert's relayed answer, *Save as a phrasing of…* (one per topic) and *Needs a new topic*. */
  askExpert: 'ask_expert',
  savePhrasing: 'save_phrasing',
  newTopic: 'new_topic',
  /** A verifier's reminder: Still correct / Needs a change. */
  verify: 'verify_topic',
  needsChange: 'topic_needs_change',
} as const;

/** A registered action id (listeners/actions.ts has one handler for each; a test checks). */
export type ActionId = (typeof ACTIONS)[keyof typeof ACTIONS];
/**
 * A button's action_id: a registered id, or one with `:key` after it when several buttons of one block share a
 * handler (Slack wants action ids unique within a block). Routed by the id before the colon, exactly.
 */
export type ButtonActionId = ActionId | `${ActionId}:${string}`;

/** The action_id of one of several buttons of a block with one handler: `open_topic:calls`. */
export const keyed = (id: ActionId, key: string): ButtonActionId => `${id}:${key}`;

export const CALLBACKS = {
  modal: 'recommend_modal',
  shortcut: 'recommend_shortcut',
  /** The message shortcut "Ask the advisor": answers the clicked message. */
  askShortcut: 'ask_advisor',
  /** The Workflow Builder step. */
  recommendStep: 'recommend_setup',
} as const;

/** The shortcuts' names as manifest.yml declares them (a test checks): Slack allows 24 characters. */
export const SHORTCUT_NAMES = {
  recommend: 'Recommend WhatsApp setup',
  ask: 'Ask the advisor',
} as const;

export const header = (text: string): HeaderBlock => ({ type: 'header', text: plain(text, SLACK_LIMITS.headerText) });
export const divider = (): DividerBlock => ({ type: 'divider' });
export const section = (text: string, blockId?: string): SectionBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: mrkdwn(text, SLACK_LIMITS.sectionText),
});
export const plainSection = (text: string, blockId?: string): SectionBlock => ({
  type: 'section',
  ...(blockId ? { block_id: blockId } : {}),
  text: plain(text, SLACK_LIMITS.sectionText),
});
export const context = (...texts: (string | { plain: string })[]): ContextBlock => ({
  type: 'context',
  elements: texts
    .slice(0, SLACK_LIMITS.contextElements)
    .map((t) => (typeof t === 'string' ? mrkdwn(t, SLACK_LIMITS.contextText) : plain(t.plain, SLACK_LIMITS.contextText))),
});

export interface ButtonSpec {
  text: string;
  actionId: ButtonActionId;
  value?: string;
  style?: 'primary' | 'danger';
}
export const button = (b: ButtonSpec): Button => ({
  type: 'button',
  text: plain(b.text, SLACK_LIMITS.buttonText),
  action_id: b.actionId,
  ...(b.value !== undefined ? { value: truncate(b.value, SLACK_LIMITS.buttonValue) } : {}),
  ...(b.style ? { style: b.style } : {}),
});
export const actions = (buttons: ButtonSpec[], blockId?: string): ActionsBlock => ({
  type: 'actions',
  ...(blockId ? { block_id: blockId } : {}),
  elements: buttons.slice(0, SLACK_LIMITS.actionsElements).map(button),
});

/** Bulleted mrkdwn list that fits one section, dropping whole items (and saying how many) rather than failing. */
export function bullets(title: string, items: readonly string[], max = SLACK_LIMITS.sectionText): string {
  let text = `*${title}*`;
  for (let i = 0; i < items.length; i++) {
    const line = `\n• ${escapeMrkdwn(items[i]!)}`;
    const more = `\n_…and ${items.length - i} more_`;
    if (text.length + line.length + (i < items.length - 1 ? more.length : 0) > max) {
      text += more;
      break;
    }
    text += line;
  }
  return text;
}

export const sourceLinks = (sources: readonly Source[]): string =>
  sources.map((s) => `<${s.url}|${escapeMrkdwn(s.title).replace(/\|/g, '¦')}>`).join(' · ');

export const examplesList = (examples: readonly string[]): string => examples.map((e) => `• \`${COMMAND} ${escapeMrkdwn(e)}\``).join('\n');

/** Caps a message at Slack's block limit: keeps the first blocks and the final actions row. */
export function clampBlocks(blocks: Block[], max: number = SLACK_LIMITS.blocksPerMessage): Block[] {
  if (blocks.length <= max) return blocks;
  const last = blocks.at(-1)!;
  const keepLast = last.type === 'actions';
  const head = blocks.slice(0, max - (keepLast ? 2 : 1));
  return [...head, context('_Some content was left out to fit in one message._'), ...(keepLast ? [last] : [])];
}

/** What a Slack message carries: its blocks and the notification / fallback text (mrkdwn, escaped). */
export interface SlackMessage {
  blocks: Block[];
  text: string;
}

export const fallbackText = (summary: string): string => truncate(escapeMrkdwn(summary), SLACK_LIMITS.messageText);
