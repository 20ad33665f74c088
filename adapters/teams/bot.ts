import type { Verifications } from '../store/verifications.ts';
import {
  TeamsActivityHandler,
  TurnContext,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import type { Logger } from 'pino';
import { presentHelp, route, type Knowledge, type PresentOptions } from '../../src/index.ts';
import { REPLY_REQUEST_KIND } from '../request-kind.ts';
import type { StoreService } from '../store/service.ts';
import { htmlToText } from './cards/extension.ts';
import { helpCard } from './cards/help.ts';
import { teamsCard } from './cards/reply.ts';
import { TEAMS_CONNECTOR, type TeamsConnectorPolicy } from './limits.ts';
import { fetchTask, searchQuery, submitAction } from './message-extension.ts';
import { fromStoreNeeded, questionToRecord, recordQuestion } from '../store/answers.ts';
import { sendFromStore } from './store-replies.ts';
import { onSubmit, submitKind } from './submit-verbs.ts';
import { cardActivity, isObject, note, send, tenantOf, userOf, type BotDeps } from './turn.ts';
import { relayExpertReply, type ExpertDesk } from '../store/experts.ts';

/** Whether a channel message @mentions the bot (Teams' mention entity naming the recipient). */
function mentionsBot(context: TurnContext): boolean {
  const bot = context.activity.recipient?.id;
  return (context.activity.entities ?? []).some((e) => e.type === 'mention' && (e as { mentioned?: { id?: string } }).mentioned?.id === bot);
}

// The Teams bot: routes each activity to its job. Text goes to the one command router (src/present/router.ts) and its
// reply is drawn as an Adaptive Card; a card's submit goes to its verb's handler (submit-verbs.ts); the message
// extension has its own module (message-extension.ts); what needs the store is in store-replies.ts; how a reply is
// delivered, and who sent an activity, in turn.ts. Everything that knows the Bot Framework SDK stays in adapters/teams.

export class AdvisorBot extends TeamsActivityHandler {
  private readonly deps: BotDeps;

  constructor(
    knowledge: Knowledge,
    log: Logger,
    connector: Pick<TeamsConnectorPolicy, 'rateLimitWaitMs'> = TEAMS_CONNECTOR,
    store?: StoreService,
    owners: ReadonlySet<string> = new Set(),
    leads: ReadonlySet<string> = new Set(),
    present: PresentOptions = {},
    /** *Ask an expert*: TEAMS_EXPERTS_CHANNEL, the Notifier, the store. */
    experts?: ExpertDesk,
    /** The stored verifications in memory (the host's): a Still correct updates them at once. */
    verifications?: Verifications,
  ) {
    super();
    this.deps = { knowledge, log, connector, store, owners, leads, present, experts, verifications };
    this.onMessage(async (context, next) => {
      const value = context.activity.value;
      if (context.activity.conversation?.conversationType === 'channel' && !(isObject(value) && typeof value.action === 'string')) {
        // A reply in a thread of the experts' channel: the first one under an expert question goes to the asker.
        // With the RSC permission ChannelMessage.Read.Group every channel message reaches the bot: any other is
        // answered only when it @mentions the bot, as before.
        if (await this.onChannelReply(context)) return next();
        if (!mentionsBot(context)) return next();
      }
      if (isObject(value) && typeof value.action === 'string') {
        note(context, { kind: submitKind(value.action) });
        await onSubmit(this.deps, context, value);
      } else await this.onText(context);
      await next();
    });
    this.onMembersAdded(async (context, next) => {
      // Welcome once, when the bot itself joins a chat, group chat or team.
      const botId = context.activity.recipient?.id;
      if (context.activity.membersAdded?.some((m) => m.id === botId)) await send(this.deps, context, cardActivity(helpCard(presentHelp(knowledge), true)));
      await next();
    });
  }

  private async onText(context: TurnContext): Promise<void> {
    const deps = this.deps;
    // In channels and group chats the bot is @mentioned: read the text without the mention.
    const raw = TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '';
    const withoutMention = raw.replace(/<at>[^<]*<\/at>/g, '');
    // Teams sends formatted messages as HTML: read them as the text a person sees.
    // (`[^<>]*` stops at the next "<": one pass over hostile text such as "<a<a<a…", where `[^>]*` rescanned it all.)
    const typed = /<[a-z][^<>]*>/i.test(withoutMention) ? htmlToText(withoutMention) : withoutMention.trim();
    // A card inserted from the message extension arrives as an HTML placeholder (an InputExtension span) plus the
    // card: someone shared an answer; nobody asked anything.
    const sharedCard = (context.activity.attachments?.length ?? 0) > 0 && (typed === '' || /itemtype="http:\/\/schema\.skype\.com\/InputExtension"/.test(raw));
    if (sharedCard) return;
    const reply = route(typed, deps.knowledge, deps.present);
    note(context, { kind: REPLY_REQUEST_KIND[reply.kind] });
    if (fromStoreNeeded(reply)) {
      await sendFromStore(deps, context, reply);
      return;
    }
    // The question's record is made first: its id goes into the feedback buttons.
    const user = userOf(context);
    const question = questionToRecord(deps.store, reply, { platform: 'teams', userId: user });
    await send(deps, context, cardActivity(teamsCard(reply, deps.knowledge, question ? { feedback: { question: question.id } } : {})));
    // After the reply has gone: recording it waits for nothing.
    recordQuestion(deps.store, question);
  }

  /** True when the activity was a reply in a thread of TEAMS_EXPERTS_CHANNEL (relayed when it is a question's first). */
  private async onChannelReply(context: TurnContext): Promise<boolean> {
    const experts = this.deps.experts;
    const channel = experts?.channels.teams;
    const conversation = context.activity.conversation?.id ?? '';
    const at = conversation.indexOf(';messageid=');
    if (!experts || !channel || at < 0 || conversation.slice(0, at) !== channel) return false;
    const parent = conversation.slice(at + ';messageid='.length);
    const from = context.activity.from;
    const user = userOf(context);
    if (!parent || !user || from?.id === context.activity.recipient?.id) return true;
    const raw = (TurnContext.removeRecipientMention(context.activity) ?? context.activity.text ?? '').replace(/<at>[^<]*<\/at>/g, '');
    const text = /<[a-z][^<>]*>/i.test(raw) ? htmlToText(raw) : raw.trim();
    if (!text) return true;
    note(context, { kind: 'expert' });
    const outcome = await relayExpertReply(experts, { platform: 'teams', channelId: channel, parent, workspace: tenantOf(context) ?? null }, { by: { platform: 'teams', userId: user, ...(from?.name ? { name: from.name } : {}) }, text });
    this.deps.log.debug({ outcome }, 'expert thread reply');
    // A thread of the experts' channel that is not an expert question's: an ordinary channel message (answered when
    // it @mentions the bot).
    return outcome !== 'not-ours';
  }

  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    return searchQuery(this.deps, context, query);
  }

  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return fetchTask(this.deps, context, action);
  }

  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    return submitAction(this.deps, context, action);
  }
}
