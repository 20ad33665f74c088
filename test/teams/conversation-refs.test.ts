import pino from 'pino';
import { describe, expect, it } from 'vitest';
import { ConversationRefs, refsOf } from '../../adapters/teams/conversation-refs.ts';
import type { StoreService } from '../../adapters/store/service.ts';
import type { ConversationRef } from '../../adapters/store/store.ts';
import { teamsActivity } from '../helpers/teams-activity.ts';

// What an incoming activity teaches about where the bot can send later (adapters/teams/conversation-refs.ts), and
// that recording it is skipped when nothing changed.

const URL_ = 'http://127.0.0.1:9/';

describe('conversation references from activities', () => {
  it('a personal chat: the person (by AAD id, lowercased) and the tenant', () => {
    const refs = refsOf(teamsActivity(URL_, { from: { id: '29:p', aadObjectId: 'AAD-P' } }) as never, 5);
    expect(refs).toEqual([
      { key: 'tenant:tenant-1', platform: 'teams', kind: 'tenant', serviceUrl: URL_, tenantId: 'tenant-1', conversationId: null, userId: null, botId: '28:advisor-bot', updatedAt: 5 },
      { key: 'person:aad-p', platform: 'teams', kind: 'person', serviceUrl: URL_, tenantId: 'tenant-1', conversationId: 'a:personal-chat-1', userId: '29:p', botId: '28:advisor-bot', updatedAt: 5 },
    ]);
  });

  it('a channel: the channel without its thread part, never a person (their personal chat is not this one)', () => {
    const refs = refsOf(teamsActivity(URL_, {}, 'channel') as never, 5);
    expect(refs.map((r) => [r.key, r.conversationId])).toEqual([
      ['tenant:tenant-1', null],
      ['conversation:19:deals@thread.tacv2', '19:deals@thread.tacv2'],
    ]);
  });

  it('nothing from another channel than Teams (it does not vouch for an AAD id), nor when the tenants disagree', () => {
    expect(refsOf(teamsActivity(URL_, { channelId: 'webchat' }) as never, 5)).toEqual([]);
    const mixed = refsOf(teamsActivity(URL_, { channelData: { tenant: { id: 'other' } } }) as never, 5);
    expect(mixed.map((r) => r.key)).toEqual(['person:aad-asha']);
    expect(mixed[0]!.tenantId).toBeNull();
  });

  it('an unchanged reference is written once; a changed one again; a failed write is tried again next time', async () => {
    const written: ConversationRef[] = [];
    let accept = true;
    const store = { saveConversationRef: async (r: ConversationRef) => (accept ? (written.push(r), true) : false) } as unknown as StoreService;
    let now = 1;
    const refs = new ConversationRefs(store, pino({ level: 'silent' }), () => now++);
    const activity = teamsActivity(URL_) as never;
    refs.remember(activity);
    refs.remember(activity);
    await new Promise((r) => setImmediate(r));
    expect(written.map((r) => r.key)).toEqual(['tenant:tenant-1', 'person:aad-asha']);
    refs.remember(teamsActivity('http://127.0.0.1:10/') as never);
    await new Promise((r) => setImmediate(r));
    expect(written).toHaveLength(4);
    accept = false;
    refs.remember(teamsActivity(URL_) as never);
    await new Promise((r) => setImmediate(r));
    accept = true;
    refs.remember(teamsActivity(URL_) as never);
    await new Promise((r) => setImmediate(r));
    expect(written.slice(4).map((r) => r.serviceUrl)).toEqual([URL_, URL_]);
  });
});
