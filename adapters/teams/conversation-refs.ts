import type { Logger } from 'pino';
import type { ConversationRef } from '../store/store.ts';
import type { StoreService } from '../store/service.ts';

// Where the bot can reach people and channels on its own (proactive messages, adapters/teams/proactive.ts), learnt
// from the activities Teams sends it, kept in the store (table conversation_refs) so every replica knows them:
// - `person:<aad id>`: a person's personal conversation with the bot (the chat they opened), with its serviceUrl;
// - `tenant:<tenant id>`: the tenant's serviceUrl and the bot's account id there, to create a conversation with
//   someone who has not opened one yet;
// - `conversation:<id>`: a channel or group chat the bot is in (its id without `;messageid=…`), with its serviceUrl
//   and tenant, to post there or reply in one of its threads.
// Recording is cheap and never in a turn's way: fire and forget, and skipped when this process has already written
// the same reference.

/** The parts of an activity a reference is made from (all optional: a malformed one records nothing). */
export interface ActivityRefFields {
  serviceUrl?: string;
  channelId?: string;
  from?: { id?: string; aadObjectId?: string } | undefined;
  recipient?: { id?: string } | undefined;
  conversation?: { id?: string; conversationType?: string; tenantId?: string } | undefined;
  channelData?: unknown;
}

/** How many references this process remembers having written (the oldest is forgotten first). */
const REMEMBERED_REFS = 10_000;

export const personKey = (aadId: string) => `person:${aadId.toLowerCase()}`;
export const tenantKey = (tenantId: string) => `tenant:${tenantId.toLowerCase()}`;
/** A channel's conversation id without the thread part (`19:x@thread.tacv2;messageid=123` → `19:x@thread.tacv2`). */
export const baseConversationId = (id: string) => id.split(';messageid=')[0]!;
export const conversationKey = (id: string) => `conversation:${baseConversationId(id).toLowerCase()}`;

/** The tenant an activity comes from, when the conversation and the channel data do not disagree (as turn.ts's tenantOf). */
function tenantOf(a: ActivityRefFields): string | undefined {
  const fromConversation = a.conversation?.tenantId || undefined;
  const raw = (a.channelData as { tenant?: { id?: unknown } } | undefined)?.tenant?.id;
  const fromChannelData = typeof raw === 'string' && raw !== '' ? raw : undefined;
  if (fromConversation && fromChannelData && fromConversation !== fromChannelData) return undefined;
  return fromConversation ?? fromChannelData;
}

/** The references an activity teaches (none from another channel than Teams: only Teams vouches for an AAD id). */
export function refsOf(a: ActivityRefFields, now: number): ConversationRef[] {
  if (a.channelId !== 'msteams' || !a.serviceUrl || !a.conversation?.id) return [];
  const tenant = tenantOf(a) ?? null;
  const bot = a.recipient?.id || null;
  const common = { platform: 'teams' as const, serviceUrl: a.serviceUrl, tenantId: tenant, botId: bot, updatedAt: now };
  const refs: ConversationRef[] = [];
  if (tenant) refs.push({ ...common, key: tenantKey(tenant), kind: 'tenant', conversationId: null, userId: null });
  const type = a.conversation.conversationType;
  const aad = a.from?.aadObjectId;
  if ((!type || type === 'personal') && aad) {
    refs.push({ ...common, key: personKey(aad), kind: 'person', conversationId: a.conversation.id, userId: a.from?.id || null });
  } else if (type === 'channel' || type === 'groupChat') {
    const id = baseConversationId(a.conversation.id);
    refs.push({ ...common, key: conversationKey(id), kind: 'conversation', conversationId: id, userId: null });
  }
  return refs;
}

export class ConversationRefs {
  /** What this process last wrote under each key (without the time), so an unchanged reference is not written again. */
  private readonly written = new Map<string, string>();

  constructor(
    private readonly store: StoreService | undefined,
    private readonly log: Logger,
    private readonly clock: () => number = Date.now,
  ) {}

  /** Records what an incoming activity says about where the bot can reach (fire and forget: never throws, never waits). */
  remember(activity: ActivityRefFields): void {
    if (!this.store) return;
    for (const ref of refsOf(activity, this.clock())) void this.save(ref);
  }

  /** Records one reference (e.g. a conversation the bot has just created); resolves when written or given up. */
  async save(ref: ConversationRef): Promise<void> {
    if (!this.store) return;
    const { updatedAt: _at, ...rest } = ref;
    const signature = JSON.stringify(rest);
    if (this.written.get(ref.key) === signature) return;
    this.written.delete(ref.key);
    this.written.set(ref.key, signature);
    if (this.written.size > REMEMBERED_REFS) this.written.delete(this.written.keys().next().value!);
    const ok = await this.store.saveConversationRef(ref);
    // Not written: forget it, so the next activity tries again (the store logged why).
    if (!ok) {
      this.written.delete(ref.key);
      this.log.debug({ key: ref.key }, 'conversation reference not recorded (the store did not take it)');
    }
  }
}
