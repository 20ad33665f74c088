import { afterAll, beforeAll, beforeEach } from 'vitest';
import { FakeConnector } from './fake-connector.ts';
import { startTestProduct } from './product.ts';

/** Bot Connector waits short enough for tests: the same policy, in milliseconds instead of seconds. */
export const FAST_CONNECTOR = { timeoutMs: 2000, retryDelayMs: 5, maxRetryDelayMs: 20, rateLimitWaitMs: 20 };

// Bot Framework activities as Teams sends them to /api/messages, for the tests.

export type Scope = 'personal' | 'groupChat' | 'channel';

const CONVERSATIONS: Record<Scope, Record<string, unknown>> = {
  personal: { id: 'a:personal-chat-1', conversationType: 'personal', tenantId: 'tenant-1' },
  groupChat: { id: '19:group-chat@thread.v2', conversationType: 'groupChat', isGroup: true, tenantId: 'tenant-1' },
  channel: { id: '19:deals@thread.tacv2;messageid=123', conversationType: 'channel', isGroup: true, tenantId: 'tenant-1' },
};

let n = 0;

/** A message activity from a user to the bot; `serviceUrl` is where the bot must reply (a fake connector). */
export function teamsActivity(serviceUrl: string, fields: Record<string, unknown> = {}, scope: Scope = 'personal'): Record<string, unknown> {
  return {
    type: 'message',
    id: `incoming-${++n}`,
    timestamp: new Date().toISOString(),
    serviceUrl,
    channelId: 'msteams',
    from: { id: '29:user-asha', name: 'Asha Agent', aadObjectId: 'aad-asha' },
    conversation: CONVERSATIONS[scope],
    recipient: { id: '28:advisor-bot', name: 'Co-Existence Advisor' },
    locale: 'en-US',
    channelData: { tenant: { id: 'tenant-1' } },
    // In a channel the bot reads only what @mentions it (it is sent every channel message, with the RSC permission the
    // experts' channel needs): a channel message here mentions it, unless the test says otherwise (`entities: []`).
    ...(scope === 'channel' ? { entities: [BOT_MENTION] } : {}),
    ...fields,
  };
}

/** Teams' mention entity for the bot, as a channel message that @mentions it carries. */
export const BOT_MENTION = { type: 'mention', mentioned: { id: '28:advisor-bot', name: 'Co-Existence Advisor' }, text: '<at>Co-Existence Advisor</at>' };


/** For a Teams suite: the real host in local mode and a fake Bot Connector, started once, reset per test. */
export function useTeamsHost(): { connector: FakeConnector; product: Awaited<ReturnType<typeof startTestProduct>> } {
  const harness = {} as { connector: FakeConnector; product: Awaited<ReturnType<typeof startTestProduct>> };
  beforeAll(async () => {
    harness.connector = await new FakeConnector().start();
    harness.product = await startTestProduct({}, { teamsConnector: FAST_CONNECTOR });
  });
  afterAll(async () => {
    await harness.product?.stop();
    await harness.connector?.stop();
  });
  beforeEach(() => harness.connector.reset());
  return harness;
}
