import { CardFactory, type Activity, type TurnContext } from 'botbuilder';
import type { Logger } from 'pino';
import type { PresentOptions, Knowledge } from '../../src/index.ts';
import type { RequestNote } from '../http.ts';
import type { StoreService } from '../store/service.ts';
import type { ExpertDesk } from '../store/experts.ts';
import type { Verifications } from '../store/verifications.ts';
import type { Card } from './cards/common.ts';
import type { TeamsConnectorPolicy } from './limits.ts';

// One turn of the Teams bot: what every job of the bot (routing, submits, the message extension, the store-backed
// replies) is given, how a reply is delivered, and what an activity says about who sent it and from where.

/** What the bot was started with; each of its jobs reads from it. */
export interface BotDeps {
  knowledge: Knowledge;
  log: Logger;
  connector: Pick<TeamsConnectorPolicy, 'rateLimitWaitMs'>;
  /** Records questions and recommendations, after the reply has gone (fire and forget). */
  store?: StoreService | undefined;
  /** KNOWLEDGE_OWNERS, lowercased: who sees the report and reviews corrections (Teams: AAD object ids). */
  owners: ReadonlySet<string>;
  /** SALES_LEADS, lowercased: who sees every recommendation of their own tenant (Teams: AAD object ids). */
  leads: ReadonlySet<string>;
  /** What the operator configured about replies (EXPERT_HINT), handed to the router. */
  present: PresentOptions;
  /** *Ask an expert* (adapters/store/experts.ts): TEAMS_EXPERTS_CHANNEL, the Notifier, the store. */
  experts?: ExpertDesk | undefined;
  /** The stored verifications in memory: a Still correct shows at once (adapters/store/verifications.ts). */
  verifications?: Verifications | undefined;
}

export const STALE_CARD = 'That button is from an older version of this card. Type **help** to start again.';

export function cardActivity(c: Card): Partial<Activity> {
  return { type: 'message', attachments: [CardFactory.adaptiveCard(c)], summary: String(c.fallbackText ?? '') };
}

export const isObject = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);

const REQUEST_NOTE = Symbol('request note');
/** Notes what this turn was about (read by the face when the turn is over). */
export function note(context: TurnContext, n: RequestNote): void {
  context.turnState.set(REQUEST_NOTE, { ...(context.turnState.get(REQUEST_NOTE) as RequestNote | undefined), ...n });
}
/** What the bot noted about a turn: its kind, and whether it was a duplicate. */
export function requestNoteOf(context: TurnContext): RequestNote {
  return (context.turnState.get(REQUEST_NOTE) as RequestNote | undefined) ?? {};
}

// ---- Delivery ---------------------------------------------------------------------------------------------------

/**
 * Sends an activity. The Bot Connector rate-limits with 429 (botbuilder retries 5xx itself, not 429): wait once,
 * bounded, and send again, so a busy moment costs the user a second rather than their answer.
 */
export async function send(deps: BotDeps, context: TurnContext, activity: Partial<Activity>): Promise<string | undefined> {
  try {
    return (await context.sendActivity(activity))?.id;
  } catch (err) {
    if ((err as { statusCode?: number }).statusCode !== 429) throw err;
    deps.log.warn({ activityId: context.activity.id }, 'Bot Connector rate-limited the reply; retrying once');
    await new Promise((r) => setTimeout(r, deps.connector.rateLimitWaitMs));
    return (await context.sendActivity(activity))?.id;
  }
}

/** Sends plain text. */
export const say = (deps: BotDeps, context: TurnContext, text: string) => send(deps, context, { type: 'message', text });

/**
 * Replaces the card that was submitted (so the form becomes the result), or sends a new one if it cannot. Returns
 * the id of the message that shows the card, when known.
 */
export async function replaceOrSend(deps: BotDeps, context: TurnContext, c: Card): Promise<string | undefined> {
  const id = context.activity.replyToId;
  if (id) {
    try {
      await context.updateActivity({ ...cardActivity(c), id });
      return id;
    } catch (err) {
      deps.log.warn({ err: (err as Error).message, activityId: id, status: (err as { statusCode?: number }).statusCode }, 'could not update the card; sending a new one');
    }
  }
  return send(deps, context, cardActivity(c));
}

// ---- Who and where ----------------------------------------------------------------------------------------------

/** A personal chat with the bot. Teams always says which kind of conversation it is; an activity that does not is taken as personal, as the history always did. */
export function isPersonal(context: TurnContext): boolean {
  const type = context.activity.conversation?.conversationType;
  return !type || type === 'personal';
}

/** The tenant an activity comes from: the conversation's, else the channel data's (Teams sends both). */
export function tenantOf(context: TurnContext): string | undefined {
  const fromConversation = context.activity.conversation?.tenantId || undefined;
  const raw = (context.activity.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromChannelData = typeof raw === 'string' && raw !== '' ? raw : undefined;
  // Two different tenants in one activity: neither is trusted (the viewer then sees only their own older entries).
  if (fromConversation && fromChannelData && fromConversation !== fromChannelData) return undefined;
  return fromConversation ?? fromChannelData;
}

/** Who sent the activity: the AAD object id (what KNOWLEDGE_OWNERS lists), else the channel account id. */
export function userOf(context: TurnContext): string | undefined {
  const from = context.activity.from as { id?: string; aadObjectId?: string } | undefined;
  return from?.aadObjectId || from?.id || undefined;
}

/**
 * Who may be a knowledge owner: the sender's AAD object id (what KNOWLEDGE_OWNERS lists), on the Teams channel only.
 * No fallback to from.id (any client can put an owner's id there), and no other channel (webchat, Direct Line): a
 * channel that is not Teams does not vouch for an AAD id. Agents Playground (local mode) sends msteams and one.
 */
export function ownerIdOf(context: TurnContext): string | undefined {
  if (context.activity.channelId !== 'msteams') return undefined;
  const from = context.activity.from as { aadObjectId?: string } | undefined;
  return from?.aadObjectId || undefined;
}
