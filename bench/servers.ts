import { App, HTTPReceiver } from '@slack/bolt';
import { createLogger } from '../adapters/host/logger.ts';
import { startProduct } from '../adapters/host/start.ts';
import { FakeSlack } from '../test/helpers/fake-slack.ts';

// A server to benchmark, in its own process so the load generator does not share its event loop.
// argv[2]: empty-bolt | product. Reports { url, startupMs } over IPC, answers 'stats' with memory figures.

export const BENCH_SECRET = 'bench-signing-secret-0123456789';
const kind = process.argv[2];

const fake = await new FakeSlack().start();
let url: string;
if (kind === 'empty-bolt') {
  const receiver = new HTTPReceiver({ signingSecret: BENCH_SECRET, endpoints: '/slack/events' });
  const app = new App({ token: 'xoxb-bench', receiver, clientOptions: { slackApiUrl: fake.apiUrl } });
  app.command('/coexist-vs-api', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as import('node:http').Server;
  const address = server.address() as import('node:net').AddressInfo;
  url = `http://127.0.0.1:${address.port}`;
} else {
  const product = await startProduct(
    { PORT: '0', HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: fake.apiUrl },
    { logger: createLogger('silent') },
  );
  url = product.url;
}
const startupMs = Math.round(performance.now());
process.send?.({ url, startupMs });
process.on('message', (m) => {
  if (m === 'stats') process.send?.({ rssMb: Math.round(process.memoryUsage().rss / 1048576), peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024) });
});
process.on('SIGINT', () => process.exit(0));
