import type { Logger } from 'pino';
import type { Knowledge, Reply } from '../../src/index.ts';
import type { Destination, Sent } from '../notify.ts';
import type { StoreService } from '../store/service.ts';
import type { ConversationRef } from '../store/store.ts';
import type { Card } from './cards/common.ts';
import { teamsCard } from './cards/reply.ts';
import { baseConversationId, conversationKey, ConversationRefs, personKey, tenantKey } from './conversation-refs.ts';
import type { TeamsOn } from './face.ts';
import type { TeamsConnectorPolicy } from './limits.ts';
import { serviceUrlAllowed } from './service-url.ts';

// Teams' side of the Notifier (adapters/notify.ts): proactive messages through the Bot Connector, outside any turn.
// - To a person: their personal conversation with the bot, when they have opened one (recorded from their activities,
//   conversation-refs.ts); else one is created (POST /v3/conversations with the tenant, the bot and the person, at
//   the tenant's serviceUrl) and remembered.
// - To a channel: POST to the channel's conversation; in a thread, to `<channel>;messageid=<parent>`: that is how
//   Teams threads a bot's message (a replyToId alone posts a new top-level message in Teams:
//   microsoft/botframework-sdk#6626; the Teams SDK's ReplyAsync builds the same id).
// - The card is the reply's Adaptive Card (cards/reply.ts, version ≤ 1.5), as in a turn.
// - Every Bot Connector call is bounded (TEAMS_CONNECTOR, through face.ts's authentication); a 429 is waited out
//   once. In local mode (no Bot Framework auth) the same rule as an incoming activity's: only a serviceUrl on this
//   machine or in TEAMS_ALLOWED_SERVICE_URLS.
// - Never throws: a failure is a Sent with ok:false, its error in words, logged.
// botbuilder is loaded on the first send, as the face loads it on the first activity.

export interface TeamsNotifierOptions {
  teams: TeamsOn;
  knowledge: Knowledge;
  logger: Logger;
  store: StoreService | undefined;
  policy: TeamsConnectorPolicy;
}

type Connector = {
  conversations: {
    createConversation(parameters: Record<string, unknown>): Promise<{ id?: string }>;
    sendToConversation(conversationId: string, activity: Record<string, unknown>): Promise<{ id?: string }>;
  };
};

/** A failure with its words for the operator, and whether trying later may work. */
class NotSent extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
  ) {
    super(message);
  }
}

/** The connector's error in words: its HTTP status and message, and whether trying again later may work. */
function connectorFailure(err: unknown, what: string): NotSent {
  if (err instanceof NotSent) return err;
  const e = err as { statusCode?: number; code?: string; name?: string; message?: string };
  const status = e.statusCode;
  if (status === undefined) {
    const why = e.name === 'AbortError' ? 'no answer in time' : (e.code ?? e.message ?? 'unknown error');
    return new NotSent(`the Bot Connector could not be reached to ${what} (${why})`, true);
  }
  const hint =
    status === 401 || status === 403
      ? ': the bot is not allowed there (removed from the team or chat, blocked by the person, or the app is not installed for them)'
      : status === 404
        ? ': the conversation does not exist (any more)'
        : '';
  return new NotSent(`the Bot Connector refused to ${what}: HTTP ${status}${hint}${e.message ? ` (${e.message.slice(0, 200)})` : ''}`, status === 429 || status >= 500);
}

export class TeamsNotifier {
  private connector: Promise<(serviceUrl: string) => Promise<Connector>> | undefined;
  private readonly refs: ConversationRefs;
  private readonly log: Logger;

  constructor(private readonly options: TeamsNotifierOptions) {
    this.log = options.logger.child({ component: 'teams-notify' });
    this.refs = new ConversationRefs(options.store, this.log);
  }

  async send(to: Destination, reply: Reply): Promise<Sent> {
    try {
      const activity = this.activityOf(teamsCard(reply, this.options.knowledge));
      const sent = to.kind === 'person' ? await this.toPerson(to.userId, to.workspace ?? undefined, activity) : await this.toChannel(to.channelId, to.thread ?? undefined, to.workspace ?? undefined, activity);
      this.log.info({ to: describe(to), conversationId: sent.channelId, activityId: sent.ref, reply: reply.kind }, 'Teams proactive message sent');
      return sent;
    } catch (err) {
      const failure = err instanceof NotSent ? err : new NotSent(`could not send the Teams message: ${(err as Error)?.message ?? String(err)}`, false);
      this.log.warn({ to: describe(to), reply: reply.kind, error: failure.message, retryable: failure.retryable }, `Teams proactive message not sent: ${failure.message}`);
      return { ok: false, error: failure.message, retryable: failure.retryable };
    }
  }

  private activityOf(card: Card): Record<string, unknown> {
    return {
      type: 'message',
      attachments: [{ contentType: 'application/vnd.microsoft.card.adaptive', content: card }],
      summary: String(card.fallbackText ?? ''),
    };
  }

  private async toPerson(userId: string, workspace: string | undefined, activity: Record<string, unknown>): Promise<Sent & { ok: true }> {
    const known = await this.ref(personKey(userId));
    if (known?.conversationId) {
      return this.post(known.serviceUrl, known.conversationId, activity);
    }
    const tenant = await this.tenantFor(workspace ?? known?.tenantId ?? undefined, `${userId} has not opened a chat with the bot`);
    const connector = await this.connect(tenant.serviceUrl);
    let conversationId: string | undefined;
    try {
      conversationId = (
        await connector.conversations.createConversation({
          isGroup: false,
          bot: { id: tenant.botId ?? this.botId() },
          members: [{ id: known?.userId ?? userId }],
          tenantId: tenant.tenantId,
          channelData: { tenant: { id: tenant.tenantId } },
        })
      ).id;
    } catch (err) {
      throw connectorFailure(err, `create a chat with ${userId}`);
    }
    if (!conversationId) throw new NotSent(`the Bot Connector created no chat with ${userId} (it answered without a conversation id)`, true);
    await this.refs.save({
      key: personKey(userId),
      platform: 'teams',
      kind: 'person',
      serviceUrl: tenant.serviceUrl,
      tenantId: tenant.tenantId,
      conversationId,
      userId: known?.userId ?? null,
      botId: tenant.botId,
      updatedAt: Date.now(),
    });
    return this.post(tenant.serviceUrl, conversationId, activity);
  }

  private async toChannel(channelId: string, thread: string | undefined, workspace: string | undefined, activity: Record<string, unknown>): Promise<Sent & { ok: true }> {
    const base = baseConversationId(channelId);
    const known = await this.ref(conversationKey(base));
    const serviceUrl = known?.serviceUrl ?? (await this.tenantFor(workspace, `the bot has not seen the conversation ${base}`)).serviceUrl;
    return this.post(serviceUrl, thread ? `${base};messageid=${thread}` : base, activity);
  }

  /** A stored reference; a store that does not answer is a failure worth retrying. */
  private async ref(key: string): Promise<ConversationRef | null> {
    const store = this.options.store;
    if (!store) return null;
    const ref = await store.conversationRef(key);
    if (ref === undefined) throw new NotSent('the store did not answer where to send (conversation references); try again later', true);
    return ref;
  }

  /**
   * The tenant to create a conversation in and its serviceUrl: the one named, else MICROSOFT_APP_TENANT_ID, else the
   * only tenant the bot has seen. `why` says why a tenant is needed, for the error when none is known.
   */
  private async tenantFor(named: string | undefined, why: string): Promise<{ tenantId: string; serviceUrl: string; botId: string | null }> {
    const configured = this.options.teams.auth === 'bot-framework' ? this.options.teams.tenantId : undefined;
    const wanted = named ?? configured;
    if (wanted) {
      const ref = await this.ref(tenantKey(wanted));
      if (ref) return { tenantId: ref.tenantId ?? wanted, serviceUrl: ref.serviceUrl, botId: ref.botId };
      throw new NotSent(`${why}, and no one in Teams tenant ${wanted} has messaged the bot yet, so its Bot Connector address is unknown: ask them to open a chat with the bot once`, false);
    }
    const seen = this.options.store ? await this.options.store.conversationRefs('tenant', 2) : [];
    if (seen === undefined) throw new NotSent('the store did not answer where to send (conversation references); try again later', true);
    if (seen.length === 1 && seen[0]!.tenantId) return { tenantId: seen[0]!.tenantId, serviceUrl: seen[0]!.serviceUrl, botId: seen[0]!.botId };
    if (seen.length === 0) throw new NotSent(`${why}, and no one in Teams has messaged the bot yet, so no Bot Connector address is known: ask them to open a chat with the bot once`, false);
    throw new NotSent(`${why}, and the bot has seen several Teams tenants: set MICROSOFT_APP_TENANT_ID, or ask them to open a chat with the bot once`, false);
  }

  private botId(): string {
    const appId = this.options.teams.auth === 'bot-framework' ? this.options.teams.appId : '';
    return `28:${appId}`;
  }

  /** A Bot Connector client for `serviceUrl`, bounded; refused in local mode unless the serviceUrl is allowed. */
  private async connect(serviceUrl: string): Promise<Connector> {
    const teams = this.options.teams;
    if (teams.auth === 'local' && !serviceUrlAllowed(serviceUrl, teams.allowedServiceUrls)) {
      throw new NotSent(`local mode sends only to a serviceUrl on this machine or in TEAMS_ALLOWED_SERVICE_URLS, not ${serviceUrl.slice(0, 200)}`, false);
    }
    this.connector ??= (async () => {
      const [{ teamsAuthentication }, { ClaimsIdentity, AuthenticationConstants }] = await Promise.all([import('./face.ts'), import('botframework-connector')]);
      const appId = teams.auth === 'bot-framework' ? teams.appId : '';
      const identity = new ClaimsIdentity([
        { type: AuthenticationConstants.AudienceClaim, value: appId },
        { type: AuthenticationConstants.AppIdClaim, value: appId },
      ]);
      const factory = teamsAuthentication(teams, this.options.policy).createConnectorFactory(identity);
      return async (url: string) => (await factory.create(url, undefined as unknown as string)) as unknown as Connector;
    })().catch((err: unknown) => {
      this.connector = undefined;
      throw err;
    });
    try {
      return await (await this.connector)(serviceUrl);
    } catch (err) {
      throw connectorFailure(err, 'sign in to the Bot Connector');
    }
  }

  /** Posts to a conversation; a 429 is waited out once (the connector does not say for how long). */
  private async post(serviceUrl: string, conversationId: string, activity: Record<string, unknown>): Promise<Sent & { ok: true }> {
    const connector = await this.connect(serviceUrl);
    const send = async () => (await connector.conversations.sendToConversation(conversationId, activity)).id;
    let id: string | undefined;
    try {
      try {
        id = await send();
      } catch (err) {
        if ((err as { statusCode?: number }).statusCode !== 429) throw err;
        await new Promise((r) => setTimeout(r, this.options.policy.rateLimitWaitMs));
        id = await send();
      }
    } catch (err) {
      throw connectorFailure(err, `post in ${conversationId}`);
    }
    return { ok: true, ref: id ?? '', channelId: conversationId };
  }
}

/** A destination for the log: ids only. */
const describe = (to: Destination) => (to.kind === 'person' ? { kind: 'person', userId: to.userId } : { kind: 'channel', channelId: to.channelId, ...(to.thread ? { thread: to.thread } : {}) });
