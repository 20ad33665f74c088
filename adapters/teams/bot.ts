import { createHash } from 'node:crypto';
import {
  CardFactory,
  TeamsActivityHandler,
  TurnContext,
  type Activity,
  type MessagingExtensionAction,
  type MessagingExtensionActionResponse,
  type MessagingExtensionQuery,
  type MessagingExtensionResponse,
} from 'botbuilder';
import type { Logger } from 'pino';
import {
  HISTORY_LIMIT,
  answer,
  historyOnlyInPersonalChat,
  historyScope,
  maySee,
  notFoundForYou,
  type HistoryScope,
  findTopic,
  MAX_QUESTION_CHARS,
  prefillFrom,
  presentAnswer,
  presentHistory,
  presentComparison,
  presentHelp,
  presentNotHelpful,
  presentPastRecommendation,
  presentReport,
  presentTopic,
  recommendationWithReply,
  reportNotForYou,
  reportSince,
  reportUnavailable,
  route,
  usefulTopics,
  validateRequirements,
  type AnswerReply,
  type Knowledge,
  type PresentOptions,
  type ReportReply,
  type Requirements,
} from '../../src/index.ts';
import { SUBMIT, type Card } from './cards/common.ts';
import { EXTENSION_COMMANDS, MAX_RESULTS, dialogMessage, dialogResponse, htmlToText, messageText, searchResponse, searchResult } from './cards/extension.ts';
import { formCard, readForm } from './cards/form.ts';
import { helpCard } from './cards/help.ts';
import { teamsCard } from './cards/reply.ts';
import { TEAMS_CONNECTOR, TEAMS_DEDUPE, type TeamsConnectorPolicy } from './limits.ts';
import { readCorrection, readFeedback, readRecommendationId, readReview, type CorrectionSubmit } from './submits.ts';
import { knowledgeVersion } from '../store/knowledge-version.ts';
import { CORRECTION_REPEAT_MS, newRecommendationId, questionRecord } from '../store/records.ts';
import type { StoreService } from '../store/service.ts';
import type { RequestNote } from '../host/http.ts';
import { REPLY_REQUEST_KIND, type RequestKind } from '../host/metrics.ts';

// The Teams bot: turns activities into advisor commands and answers with Adaptive Cards. Everything that knows
// about the Bot Framework SDK stays in adapters/teams; the cards are plain functions of the core's data.

export function cardActivity(c: Card): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(c)], summary: String(c.fallbackText ?? '') };
}

const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

/** Lists for one person (their history, a recommendation from it, the report) are shown only in a personal chat. */
const PERSONAL_ONLY = {
  history: historyOnlyInPersonalChat,
  report: 'The report is shown only in a personal chat with me, so what people asked stays with the knowledge owners: open a chat with me and type **report**.',
} as const;

/** What a card's button asks for, for coexist_requests_total. */
const SUBMIT_REQUEST_KIND: Record<string, RequestKind> = {
  [SUBMIT.submitForm]: 'recommendation',
  [SUBMIT.edit]: 'form',
  [SUBMIT.openForm]: 'form',
  [SUBMIT.openRecommendation]: 'history',
  [SUBMIT.reviewCorrection]: 'report',
  [SUBMIT.compare]: 'compare',
  [SUBMIT.topic]: 'question',
  [SUBMIT.help]: 'help',
  [SUBMIT.feedback]: 'feedback',
  [SUBMIT.correct]: 'feedback',
};
const submitKind = (action: unknown): RequestKind => (typeof action === 'string' && Object.hasOwn(SUBMIT_REQUEST_KIND, action) ? SUBMIT_REQUEST_KIND[action]! : 'other');

const REQUEST_NOTE = Symbol('request note');
/** Notes what this turn was about (read by the face when the turn is over). */
function note(context: TurnContext, n: RequestNote): void {
  context.turnState.set(REQUEST_NOTE, { ...(context.turnState.get(REQUEST_NOTE) as RequestNote | undefined), ...n });
}
/** What the bot noted about a turn: its kind, and whether it was a duplicate. */
export function requestNoteOf(context: TurnContext): RequestNote {
  return (context.turnState.get(REQUEST_NOTE) as RequestNote | undefined) ?? {};
}

const STALE_CARD = 'That button is from an older version of this card. Type **help** to start again.';

export class AdvisorBot extends TeamsActivityHandler {
  constructor(
    private readonly knowledge: Knowledge,
    private readonly log: Logger,
    private readonly connector: Pick<TeamsConnectorPolicy, 'rateLimitWaitMs'> = TEAMS_CONNECTOR,
    /** Records questions and recommendations, after the reply has gone (fire and forget). */
    private readonly store?: StoreService,
    /** KNOWLEDGE_OWNERS, lowercased: who sees the report and reviews corrections (Teams: AAD object ids). */
    private readonly owners: ReadonlySet<string> = new Set(),
    /** SALES_LEADS, lowercased: who sees every recommendation of their own tenant (Teams: AAD object ids). */
    private readonly leads: ReadonlySet<string> = new Set(),
    /** What the operator configured about replies (EXPERT_HINT), handed to the router. */
    private readonly present: PresentOptions = {},
  ) {
    super();
    this.onMessage(async (context, next) => {
      const value = context.activity.value;
      if (isObject(value) && typeof value.action === 'string') {
        note(context, { kind: submitKind(value.action) });
        await this.onSubmit(context, value);
      } else await this.onText(context);
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
    const withoutMention = raw.replace(/<at>[^<]*<\/at>/g, '');
    // Teams sends formatted messages as HTML: read them as the text a person sees.
    // (`[^<>]*` stops at the next "<": one pass over hostile text such as "<a<a<a…", where `[^>]*` rescanned it all.)
    const typed = /<[a-z][^<>]*>/i.test(withoutMention) ? htmlToText(withoutMention) : withoutMention.trim();
    // A card inserted from the message extension arrives as an HTML placeholder (an InputExtension span) plus the
    // card: someone shared an answer; nobody asked anything.
    const sharedCard = (context.activity.attachments?.length ?? 0) > 0 && (typed === '' || /itemtype="http:\/\/schema\.skype\.com\/InputExtension"/.test(raw));
    if (sharedCard) return;
    const reply = route(typed, this.knowledge, this.present);
    note(context, { kind: REPLY_REQUEST_KIND[reply.kind] });
    if (reply.kind === 'history') {
      await this.sendHistory(context, reply.customer);
      return;
    }
    if (reply.kind === 'report') {
      await this.sendReport(context);
      return;
    }
    // The question's record is made first: its id goes into the feedback buttons.
    const user = userOf(context);
    const question = this.store && user ? questionRecord(reply, 'teams', user) : undefined;
    await this.send(context, cardActivity(teamsCard(reply, this.knowledge, question ? { feedback: { question: question.id } } : {})));
    // After the reply has gone: recording it waits for nothing.
    if (question) this.store!.recorder.question(question);
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
        if (!(await this.firstSubmit(context, valid.requirements))) return;
        const { recommendation, reply } = recommendationWithReply(valid.requirements, kb);
        const messageRef = await this.replaceOrSend(context, teamsCard(reply, kb, context.activity.from?.name ? { requestedBy: context.activity.from.name } : {}));
        const user = userOf(context);
        if (this.store && user) {
          this.store.recorder.recommendation({
            id: newRecommendationId(),
            platform: 'teams',
            userId: user,
            workspace: tenantOf(context) ?? null,
            channelId: context.activity.conversation?.id ?? null,
            messageRef: messageRef ?? null,
            recommendation,
            knowledgeVersion: knowledgeVersion(kb),
          });
        }
        return;
      }
      case SUBMIT.edit: {
        // From a recommendation (and most history entries): the requirements themselves. From a history entry too
        // large to carry them: its id, read from the store like Open.
        if (value.requirements === undefined && value.id !== undefined) {
          const stored = await this.readRecommendation(context, value.id);
          if (stored) await this.send(context, cardActivity(formCard(kb, prefillFrom(stored.requirements))));
          return;
        }
        await this.send(context, cardActivity(formCard(kb, prefillFrom(value.requirements))));
        return;
      }
      case SUBMIT.openRecommendation: {
        const stored = await this.readRecommendation(context, value.id);
        const viewer = userOf(context);
        if (stored) await this.send(context, cardActivity(teamsCard(presentPastRecommendation(stored, kb), kb, viewer ? { viewer } : {})));
        return;
      }
      case SUBMIT.reviewCorrection:
        await this.reviewCorrection(context, value);
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
      case SUBMIT.feedback: {
        const feedback = readFeedback(value, kb);
        if (!feedback) break;
        // Not helpful on an answer whose buttons say what was asked: the closest topics, to pick the one meant.
        if (feedback.rating === 'not-helpful' && feedback.asked) {
          const reply = presentNotHelpful(kb, feedback.asked.text, feedback.asked.topic);
          await this.send(context, cardActivity(teamsCard(reply, kb, { correct: { question: feedback.question } })));
        } else {
          await this.send(context, { type: 'message', text: feedback.rating === 'helpful' ? 'Thanks for the feedback.' : 'Thanks: noted for whoever keeps the answers up to date. Type **topics** to see what I know about.' });
        }
        this.recordFeedback(context, feedback.question, feedback.rating, feedback.asked?.text);
        return;
      }
      case SUBMIT.correct: {
        // A topic picked after Not helpful or "Which do you mean?": its answer takes the offer's place, and the pick is a correction.
        const correction = readCorrection(value, kb);
        const reply = correction && presentTopic(kb, correction.picked, correction.text);
        if (!correction || !reply) break;
        await this.replaceOrSend(context, teamsCard(reply, kb));
        await this.recordCorrection(context, correction);
        return;
      }
    }
    this.log.warn({ action: String(value.action).slice(0, 50) }, 'unknown card action');
    await this.send(context, { type: 'message', text: STALE_CARD });
  }

  /**
   * False for a form submit already handled, by this replica or another (claimed in the store): the same activity
   * redelivered, or the same person submitting the same values from the same form again at once (a double click on a
   * form that could not be replaced). Keys and how long they hold: TEAMS_DEDUPE. A store that cannot answer in time
   * lets it through ('act'): for a recommendation, a duplicate is better than no post.
   */
  private async firstSubmit(context: TurnContext, requirements: Requirements): Promise<boolean> {
    if (!this.store) return true;
    const { id, replyToId, conversation } = context.activity; // read before any wait: the turn may be over by then
    const user = userOf(context) ?? '';
    const where = conversation?.id ?? '';
    const content = createHash('sha256').update(JSON.stringify(requirements)).digest('hex');
    const duplicate =
      (id !== undefined && !(await this.store.claim(`teams:activity:${where}:${id}`, TEAMS_DEDUPE.redeliveryMs, 'act'))) ||
      !(await this.store.claim(`teams:submit:${user}:${where}:${replyToId ?? ''}:${content}`, TEAMS_DEDUPE.doubleClickMs, 'act'));
    if (duplicate) note(context, { duplicate: true });
    if (duplicate) this.log.info({ activityId: id, replyToId }, 'duplicate form submit ignored (redelivered or double-clicked)');
    return !duplicate;
  }

  /** Feedback on an answer (fire and forget), with the question's text when the button carried it. */
  private recordFeedback(context: TurnContext, question: string, rating: 'helpful' | 'not-helpful', text: string | undefined): void {
    const user = userOf(context);
    if (this.store && user) this.store.recorder.feedback({ platform: 'teams', userId: user, target: 'answer', targetId: question, rating, ...(text ? { question: text } : {}) });
  }

  /** "Asked X, picked topic Y", once per person, question and topic whichever replica the clicks reach. */
  private async recordCorrection(context: TurnContext, c: CorrectionSubmit): Promise<void> {
    const user = userOf(context); // read before any wait: the turn may be over by then
    if (!this.store || !user) return;
    if (!(await this.store.claim(`teams:correction:${user}:${c.question}:${c.picked}`, CORRECTION_REPEAT_MS, 'skip'))) return;
    this.store.recorder.feedback({ platform: 'teams', userId: user, target: 'answer', targetId: c.question, rating: 'correction', topic: c.picked, question: c.text });
  }

  /**
   * The search message extension (composeExtension/query): answer cards to insert, best first. An empty query (or
   * Teams' initial run) lists the most useful topics; an off-topic query lists the topics it might be about.
   */
  protected override async handleTeamsMessagingExtensionQuery(context: TurnContext, query: MessagingExtensionQuery): Promise<MessagingExtensionResponse> {
    const kb = this.knowledge;
    note(context, { kind: 'question' });
    if (query.commandId !== EXTENSION_COMMANDS.search) {
      this.log.warn({ commandId: String(query.commandId).slice(0, 50) }, 'unknown message extension command');
      return searchResponse([]);
    }
    const param = query.parameters?.find((p) => p.name === 'query');
    const typed = typeof param?.value === 'string' ? param.value.trim().slice(0, 500) : '';
    let replies: AnswerReply[];
    if (!typed) {
      replies = usefulTopics(kb).topics.flatMap((t) => presentTopic(kb, t) ?? []);
    } else {
      const result = answer(typed, kb);
      const best = presentAnswer(result, typed, kb, this.present);
      const others = result.alternatives.filter((t) => t !== result.topic).flatMap((t) => presentTopic(kb, t, typed) ?? []);
      // A list to pick from already: an unsure match lists its best guess first, as an answer card like the others.
      const first = best.kind === 'answer' ? [best] : best.kind === 'clarify' ? [presentTopic(kb, best.topic, typed)].filter((r): r is AnswerReply => r !== undefined) : [];
      replies = [...first, ...others];
    }
    const skip = Math.max(0, Math.floor(Number(query.queryOptions?.skip) || 0));
    const count = Math.min(MAX_RESULTS, Math.max(1, Math.floor(Number(query.queryOptions?.count) || MAX_RESULTS)));
    return searchResponse(replies.slice(skip, skip + count).map(searchResult));
  }

  /** The action on messages, opened (composeExtension/fetchTask): the selected message's text answered in a dialog. */
  protected override async handleTeamsMessagingExtensionFetchTask(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    note(context, { kind: 'question' });
    return this.askAboutMessage(context, action);
  }

  /**
   * A submit from that dialog (composeExtension/submitAction): its topic and compare buttons open their card in the
   * dialog, its feedback buttons are recorded (Not helpful shows the closest topics in the dialog, and a pick there
   * shows its answer and is recorded as a correction); without a button (a client that skips fetchTask) the selected
   * message is answered.
   */
  protected override async handleTeamsMessagingExtensionSubmitAction(context: TurnContext, action: MessagingExtensionAction): Promise<MessagingExtensionActionResponse> {
    const kb = this.knowledge;
    const data = isObject(action.data) ? action.data : {};
    note(context, { kind: data.action === undefined ? 'question' : submitKind(data.action) });
    switch (data.action) {
      case undefined:
        return this.askAboutMessage(context, action);
      case SUBMIT.topic: {
        const reply = typeof data.topic === 'string' ? presentTopic(kb, data.topic, typeof data.question === 'string' ? data.question : undefined) : undefined;
        if (reply) return dialogResponse(teamsCard(reply, kb), reply.title);
        break;
      }
      case SUBMIT.compare:
        return dialogResponse(teamsCard(presentComparison(kb), kb), 'Compare all features');
      case SUBMIT.openForm:
        return dialogMessage('To get a recommendation, open a chat with me and type recommend: the form and its result stay in that chat.');
      case SUBMIT.feedback: {
        const feedback = readFeedback(data, kb);
        if (!feedback) break;
        this.recordFeedback(context, feedback.question, feedback.rating, feedback.asked?.text);
        if (feedback.rating === 'not-helpful' && feedback.asked) {
          const reply = presentNotHelpful(kb, feedback.asked.text, feedback.asked.topic);
          return dialogResponse(teamsCard(reply, kb, { correct: { question: feedback.question } }), 'Which topic did you mean?');
        }
        return { task: { type: 'message', value: 'Thanks for the feedback.' } };
      }
      case SUBMIT.correct: {
        const correction = readCorrection(data, kb);
        const reply = correction && presentTopic(kb, correction.picked, correction.text);
        if (!correction || !reply) break;
        // Recorded without holding the dialog: the double-click check may wait for the store (it never throws).
        void this.recordCorrection(context, correction);
        return dialogResponse(teamsCard(reply, kb), reply.title);
      }
    }
    this.log.warn({ action: String(data.action).slice(0, 50) }, 'unknown dialog action');
    return { task: { type: 'message', value: 'That button is from an older version of this card. Ask again, or type help in a chat with me.' } };
  }

  private askAboutMessage(context: TurnContext, action: MessagingExtensionAction): MessagingExtensionActionResponse {
    const kb = this.knowledge;
    if (action.commandId !== EXTENSION_COMMANDS.askAbout) {
      this.log.warn({ commandId: String(action.commandId).slice(0, 50) }, 'unknown message extension command');
      return dialogMessage('This command is from an older version of the app. Type help in a chat with me to start again.');
    }
    const question = messageText(action.messagePayload?.body).slice(0, MAX_QUESTION_CHARS);
    if (!question) return dialogMessage('That message has no text I can answer (a file or an image, perhaps). Pick a message with a question in it, or ask me in a chat.');
    const reply = presentAnswer(answer(question, kb), question, kb, this.present);
    // Recorded like a question typed to the bot (its id goes into the feedback buttons), after the dialog is drawn.
    const user = userOf(context);
    const record = this.store && user ? questionRecord(reply, 'teams', user) : undefined;
    const response = dialogResponse(teamsCard(reply, kb, record ? { feedback: { question: record.id } } : {}), reply.kind === 'answer' ? reply.title : reply.kind === 'clarify' ? reply.message : 'Co-Existence Advisor');
    if (record) this.store!.recorder.question(record);
    return response;
  }

  /**
   * `history [customer]`: only in a personal chat, where the list is the asker's alone (a bot's reply in a channel
   * or group chat is seen by everyone there, and Teams has no message for one person).
   */
  private async sendHistory(context: TurnContext, customer: string | undefined): Promise<void> {
    if (!isPersonal(context)) {
      await this.send(context, { type: 'message', text: PERSONAL_ONLY.history });
      return;
    }
    const viewer = userOf(context);
    const scope = viewer ? this.scopeOf(context, viewer) : undefined;
    const past = this.store && scope ? await this.store.history({ scope, ...(customer ? { customer } : {}), limit: HISTORY_LIMIT }) : undefined;
    await this.send(context, cardActivity(teamsCard(presentHistory(past, customer, scope), this.knowledge, viewer ? { viewer } : {})));
  }

  /**
   * A history entry by its id (Open, or Edit of an entry too large to carry its requirements): only in a personal
   * chat, like the history. Undefined, the user told why, when it is not shown.
   */
  private async readRecommendation(context: TurnContext, value: unknown) {
    if (!isPersonal(context)) {
      await this.send(context, { type: 'message', text: PERSONAL_ONLY.history });
      return undefined;
    }
    const id = readRecommendationId(value);
    if (!id) {
      this.log.warn({ id: String(value).slice(0, 50) }, 'unknown recommendation id in a card action');
      await this.send(context, { type: 'message', text: STALE_CARD });
      return undefined;
    }
    const viewer = userOf(context);
    // An activity that names no sender sees nothing: "not found", as for someone else's entry.
    const stored = this.store ? (viewer ? await this.store.recommendation(id) : null) : undefined;
    // Someone else's entry gets the same words as one that does not exist: a forged id learns nothing.
    if (stored && maySee(this.scopeOf(context, viewer!), stored)) return stored;
    await this.send(context, {
      type: 'message',
      text:
        stored !== undefined
          ? notFoundForYou(id, 'Type **history** for the ones you can see.')
          : 'The history cannot be read right now (the store does not answer). Please try again in a minute.',
    });
    return undefined;
  }

  /**
   * What `viewer` may see (src/present/scope.ts), within the tenant the activity comes from: their own, those made in
   * the channel or group chat they ask from (they are evidently a member; Teams cannot list a user's conversations),
   * or, for SALES_LEADS, all of the tenant.
   */
  private scopeOf(context: TurnContext, viewer: string): HistoryScope {
    const conversation = context.activity.conversation;
    const here = !isPersonal(context) && conversation?.id ? [conversation.id] : [];
    return historyScope({ platform: 'teams', workspace: tenantOf(context), userId: viewer, conversations: here, conversationsKnown: true, lead: this.leads.has(viewer.toLowerCase()) });
  }

  private isOwner(context: TurnContext): boolean {
    const owner = ownerIdOf(context);
    return owner !== undefined && this.owners.has(owner.toLowerCase());
  }

  /** This week's report for a knowledge owner; for anyone else, why not. */
  private async reportReply(context: TurnContext): Promise<ReportReply> {
    if (!this.isOwner(context)) return reportNotForYou();
    const now = new Date();
    const report = this.store ? await this.store.report(reportSince(now)) : undefined;
    return report ? presentReport(report, this.knowledge, now) : reportUnavailable();
  }

  /** `report`: only in a personal chat (it lists what people asked), and only for the knowledge owners. */
  private async sendReport(context: TurnContext): Promise<void> {
    if (!isPersonal(context)) {
      await this.send(context, { type: 'message', text: PERSONAL_ONLY.report });
      return;
    }
    await this.send(context, cardActivity(teamsCard(await this.reportReply(context), this.knowledge)));
  }

  /** The report's Accept / Dismiss: saved for the group of corrections, then the report again in the card's place. */
  private async reviewCorrection(context: TurnContext, value: Record<string, unknown>): Promise<void> {
    if (!isPersonal(context)) {
      await this.send(context, { type: 'message', text: PERSONAL_ONLY.report });
      return;
    }
    if (!this.isOwner(context)) {
      await this.send(context, { type: 'message', text: 'Only the knowledge owners (KNOWLEDGE_OWNERS) review corrections.' });
      return;
    }
    const review = readReview(value);
    if (!review) {
      this.log.warn('malformed correction review in a card action');
      await this.send(context, { type: 'message', text: STALE_CARD });
      return;
    }
    if (review.verdict === 'accepted' && !findTopic(this.knowledge, review.picked)) {
      await this.send(context, { type: 'message', text: `The topic ${review.picked} is no longer in the knowledge, so this correction cannot become a training line: dismiss it instead.` });
      return;
    }
    const covered = this.store ? await this.store.reviewCorrections({ question: review.question, picked: review.picked }, review.verdict, ownerIdOf(context)!) : undefined;
    if (covered === undefined) {
      await this.send(context, { type: 'message', text: 'The store did not answer: the review was not saved. Please try again in a minute.' });
      return;
    }
    const reply = await this.reportReply(context);
    // A report that cannot be read now does not replace the one on screen.
    if (reply.unavailable) await this.send(context, cardActivity(teamsCard(reply, this.knowledge)));
    else await this.replaceOrSend(context, teamsCard(reply, this.knowledge));
  }

  /**
   * Sends an activity. The Bot Connector rate-limits with 429 (botbuilder retries 5xx itself, not 429): wait once,
   * bounded, and send again, so a busy moment costs the user a second rather than their answer.
   */
  private async send(context: TurnContext, activity: Partial<Activity>): Promise<string | undefined> {
    try {
      return (await context.sendActivity(activity))?.id;
    } catch (err) {
      if ((err as { statusCode?: number }).statusCode !== 429) throw err;
      this.log.warn({ activityId: context.activity.id }, 'Bot Connector rate-limited the reply; retrying once');
      await new Promise((r) => setTimeout(r, this.connector.rateLimitWaitMs));
      return (await context.sendActivity(activity))?.id;
    }
  }

  /**
   * Replaces the card that was submitted (so the form becomes the result), or sends a new one if it cannot. Returns
   * the id of the message that shows the card, when known.
   */
  private async replaceOrSend(context: TurnContext, c: Card): Promise<string | undefined> {
    const id = context.activity.replyToId;
    if (id) {
      try {
        await context.updateActivity({ ...cardActivity(c), id });
        return id;
      } catch (err) {
        this.log.warn({ err: (err as Error).message, activityId: id, status: (err as { statusCode?: number }).statusCode }, 'could not update the card; sending a new one');
      }
    }
    return this.send(context, cardActivity(c));
  }
}

/** A personal chat with the bot. Teams always says which kind of conversation it is; an activity that does not is taken as personal, as the history always did. */
function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return !type || type === 'personal';
}

/** The tenant an activity comes from: the conversation's, else the channel data's (Teams sends both). */
function tenantOf(context: TurnContext): string | undefined {
  const fromConversation = context.activity.conversation?.tenantId || undefined;
  const raw = (context.activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromChannelData = typeof raw === 'string' && raw !== '' ? raw : undefined;
  // Two different tenants in one activity: neither is trusted (the viewer then sees only their own older entries).
  if (fromConversation && fromChannelData && fromConversation !== fromChannelData) return undefined;
  return fromConversation ?? fromChannelData;
}

/** Who sent the activity: the AAD object id (what KNOWLEDGE_OWNERS lists), else the channel account id. */
function userOf(context: TurnContext): string | undefined {
  const from = context.activity.from as { id?: string; aadObjectId?: string } | undefined;
  return from?.aadObjectId || from?.id || undefined;
}

/**
 * Who may be a knowledge owner: the sender's AAD object id (what KNOWLEDGE_OWNERS lists), on the Teams channel only.
 * No fallback to from.id (any client can put an owner's id there), and no other channel (webchat, Direct Line): a
 * channel that is not Teams does not vouch for an AAD id. Agents Playground (local mode) sends msteams and one.
 */
function ownerIdOf(context: TurnContext): string | undefined {
  if (context.activity.channelId !== 'msteams') return undefined;
  const from = context.activity.from as { aadObjectId?: string } | undefined;
  return from?.aadObjectId || undefined;
}
