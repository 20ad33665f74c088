import { FakeConnector } from './fake-connector.ts';
import { FakeSlack } from './fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from './product.ts';
import { SlackClient } from './slack-client.ts';
import { FAST_CONNECTOR } from './teams-activity.ts';

/** The real product with Slack over HTTP and Teams in local mode, its fake Web API and fake Bot Connector. */
export interface BothPlatforms {
  product: Awaited<ReturnType<typeof startTestProduct>>;
  fake: FakeSlack;
  connector: FakeConnector;
  slack: SlackClient;
}

/** Starts the product on both platforms with `env` (e.g. a store) and waits until its store is open. */
export async function startBothPlatforms(env: Record<string, string>): Promise<BothPlatforms> {
  const fake = await new FakeSlack().start();
  const connector = await new FakeConnector().start();
  const product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: fake.apiUrl, ...env }, { teamsConnector: FAST_CONNECTOR });
  await product.storeStarted;
  return { product, fake, connector, slack: new SlackClient(product.url, SIGNING_SECRET, fake.url) };
}

export async function stopBothPlatforms(h: BothPlatforms | undefined): Promise<void> {
  await h?.product.stop();
  await h?.fake.stop();
  await h?.connector.stop();
}
