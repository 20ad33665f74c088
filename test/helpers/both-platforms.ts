import { expect } from 'vitest';
import type { StartOptions } from '../../adapters/host/start.ts';
import { FakeConnector } from './fake-connector.ts';
import { FakeSlack } from './fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from './product.ts';
import { SlackClient } from './slack-client.ts';
import { slackLimitViolations } from './slack-limits.ts';
import { FAST_CONNECTOR } from './teams-activity.ts';

/** The real product with Slack over HTTP and Teams in local mode, its fake Web API and fake Bot Connector. */
export interface BothPlatforms {
  product: Awaited<ReturnType<typeof startTestProduct>>;
  fake: FakeSlack;
  connector: FakeConnector;
  slack: SlackClient;
}

/** Starts the product on both platforms with `env` (e.g. a store) and waits until its store is open. */
export async function startBothPlatforms(env: Record<string, string>, options: Pick<StartOptions, 'store' | 'sourceWatch' | 'clock' | 'scheduleTimers' | 'notifier'> = {}): Promise<BothPlatforms> {
  const fake = await new FakeSlack().start();
  const connector = await new FakeConnector().start();
  const product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...env }, { teamsConnector: FAST_CONNECTOR, ...options });
  await product.storeStarted;
  return { product, fake, connector, slack: new SlackClient(product.url, SIGNING_SECRET, fake.url) };
}

/** Once the product has handled every Slack request it took and written what they recorded to the store. */
export async function slackSettled(h: BothPlatforms): Promise<void> {
  await h.product.slack!.drain();
  await h.product.store.recorder.flush();
}

/** The product's next `count` messages to Slack response URLs (their bodies), each within Slack's limits. */
export async function slackResponses(h: BothPlatforms, count = 1): Promise<any[]> {
  const calls = await h.fake.waitFor('response_url', () => true, count);
  for (const c of calls) expect(slackLimitViolations(c.args)).toEqual([]);
  return calls.map((c) => c.args);
}

export async function stopBothPlatforms(h: BothPlatforms | undefined): Promise<void> {
  await h?.product.stop();
  await h?.fake.stop();
  await h?.connector.stop();
}

/**
 * A button clicked, as Slack sends it from a message (with a response URL) or from App Home (a view, no response URL):
 * a signed block_actions interaction to the product, in workspace `team`.
 */
export function clickButton(
  h: BothPlatforms,
  user: string,
  action: { action_id: string; value: string; text?: unknown },
  options: { where?: 'message' | 'home'; team?: string; type?: string; channel?: string } = {},
) {
  const { where = 'message', team = 'T1', type = 'button', channel = 'C_DEALS' } = options;
  return h.slack.interaction({
    type: 'block_actions',
    team: { id: team, domain: 'test' },
    user: { id: user, team_id: team },
    api_app_id: 'A1',
    token: 'legacy',
    trigger_id: `trigger-${Math.random().toString(36).slice(2)}`,
    ...(where === 'home'
      ? { container: { type: 'view', view_id: 'VHOME' }, view: { id: 'VHOME', type: 'home', blocks: [] } }
      : { container: { type: 'message', channel_id: channel, is_ephemeral: true }, channel: { id: channel, name: channel === 'C_DEALS' ? 'deals' : 'channel' }, response_url: `${h.fake.url}/response/${user}` }),
    actions: [{ type, block_id: 'b', action_id: action.action_id, value: action.value, text: action.text ?? { type: 'plain_text', text: 'x' }, action_ts: '1.2' }],
  });
}
