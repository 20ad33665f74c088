import { afterAll, afterEach, beforeAll, beforeEach, expect } from 'vitest';
import { FakeSlack } from './fake-slack.ts';
import { BOT_TOKEN, SIGNING_SECRET, startTestProduct } from './product.ts';
import { SlackClient } from './slack-client.ts';
import { slackLimitViolations } from './slack-limits.ts';

export interface SlackHost {
  /** The fake Slack Web API on 127.0.0.1, reset before each test. */
  fake: FakeSlack;
  /** The real product, Slack over HTTP, pointed at the fake. */
  product: Awaited<ReturnType<typeof startTestProduct>>;
  /** Sends signed requests as Slack does. */
  slack: SlackClient;
}

/**
 * For a Slack suite: the real product on 127.0.0.1 with Slack over HTTP and a fake Web API, started once and reset
 * per test. After each test, every message and view the app sent is checked against the Block Kit limits.
 */
export function useSlackHost(env: Record<string, string> = {}): SlackHost {
  const host = {} as SlackHost;
  beforeAll(async () => {
    host.fake = await new FakeSlack().start();
    host.product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_SIGNING_SECRET: SIGNING_SECRET, SLACK_API_URL: host.fake.apiUrl, ...env });
    host.slack = new SlackClient(host.product.url, SIGNING_SECRET, host.fake.url);
  });
  afterAll(async () => {
    await host.product?.stop();
    await host.fake?.stop();
  });
  beforeEach(() => host.fake.reset());
  afterEach(() => {
    for (const call of host.fake.calls) {
      const payload = call.method.startsWith('views.') ? call.args.view : call.args;
      if (payload && typeof payload === 'object') expect(slackLimitViolations(payload), call.method).toEqual([]);
    }
  });
  return host;
}
