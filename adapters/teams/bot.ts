import { ActivityHandler, CardFactory, TurnContext, type Activity } from 'botbuilder';
import type { Logger } from 'pino';
import {
  prefillFrom,
  presentComparison,
  presentHelp,
  presentTopic,
  recommendationReply,
  route,
  validateRequirements,
  type Knowledge,
} from '../../src/index.ts';
import { SUBMIT, type Card } from './cards/common.ts';
import { formCard, readForm } from './cards/form.ts';
import { helpCard } from './cards/help.ts';
import { teamsCard } from './cards/reply.ts';
import { TEAMS_CONNECTOR, type TeamsConnectorPolicy } from './limits.ts';

// The Teams bot: turns activities into advisor commands and answers with Adaptive Cards. Everything that knows
// about the Bot Framework SDK stays in adapters/teams; the cards are plain functions of the core's data.

export function cardActivity(c: Card): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(c)], summary: String(c.fallbackText ?? '') };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

export class AdvisorBot extends ActivityHandler {
  constructor(
    private readonly knowledge: Knowledge,
    private readonly log: Logger,
    private readonly connector: Pick<TeamsConnectorPolicy, 'rateLimitWaitMs'> = TEAMS_CONNECTOR,
  ) {
    super();
    this.onMessage(async (context, next) => {
      const value = context.activity.value;
      if (isObject(value) && typeof value.action === 'string') await this.onSubmit(context, value);
      else await this.onText(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Welcome once, when the bot itself joins a chat, group chat or team.
      const botId = context.activity.recipient?.id;
      if (context.activity.membersAdded?.some((m) => m.id === botId)) await this.send(context, cardActivity(helpCard(presentHelp(this.knowledge), true)));
      await next();
    });
  }

  private async onText(context: TurnContext): Promise<void> {
    // In channels and group chats the bot is @mentioned: read the text without the mention.
    const raw = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const typed = raw.replace(/<at>[^<]*<\/at>/g, '').trim();
    await this.send(context, cardActivity(teamsCard(route(typed, this.knowledge), this.knowledge)));
  }

  private async onSubmit(context: TurnContext, value: Record<string, unknown>): Promise<void> {
    const kb = this.knowledge;
    switch (value.action) {
      case SUBMIT.submitForm: {
        const { values, input } = readForm(value);
        const valid = validateRequirements(input);
        if (!valid.ok) {
          await this.replaceOrSend(context, formCard(kb, values, valid.errors));
          return;
        }
        const reply = recommendationReply(valid.requirements, kb);
        await this.replaceOrSend(context, teamsCard(reply, kb, context.activity.from?.name ? { requestedBy: context.activity.from.name } : {}));
        return;
      }
      case SUBMIT.edit:
        await this.send(context, cardActivity(formCard(kb, prefillFrom(value.requirements))));
        return;
      case SUBMIT.openForm:
        await this.send(context, cardActivity(formCard(kb)));
        return;
      case SUBMIT.compare:
        await this.send(context, cardActivity(teamsCard(presentComparison(kb), kb)));
        return;
      case SUBMIT.topic: {
        const reply = typeof value.topic === 'string' ? presentTopic(kb, value.topic, typeof value.question === 'string' ? value.question : undefined) : undefined;
        if (!reply) break;
        await this.send(context, cardActivity(teamsCard(reply, kb)));
        return;
      }
      case SUBMIT.help:
        await this.send(context, cardActivity(helpCard(presentHelp(kb))));
        return;
    }
    this.log.warn({ action: String(value.action).slice(0, 50) }, 'unknown card action');
    await this.send(context, { type: 'message', text: 'That button is from an older version of this card. Type **help** to start again.' });
  }

  /**
   * Sends an activity. The Bot Connector rate-limits with 429 (botbuilder retries 5xx itself, not 429): wait once,
   * bounded, and send again, so a busy moment costs the user a second rather than their answer.
   */
  private async send(context: TurnContext, activity: Partial<Activity>): Promise<void> {
    try {
      await context.sendActivity(activity);
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 429) throw err;
      this.log.warn({ activityId: context.activity.id }, 'Bot Connector rate-limited the reply; retrying once');
      await new Promise((r) => setTimeout(r, this.connector.rateLimitWaitMs));
      await context.sendActivity(activity);
    }
  }

  /** Replaces the card that was submitted (so the form becomes the result), or sends a new one if it cannot. */
  private async replaceOrSend(context: TurnContext, c: Card): Promise<void> {
    const id = context.activity.replyToId;
    if (id) {
      try {
        await context.updateActivity({ ...cardActivity(c), id });
        return;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, activityId: id, status: (err as { statusCode?: number }).statusCode }, 'could not update the card; sending a new one');
      }
    }
    await this.send(context, cardActivity(c));
  }
}
