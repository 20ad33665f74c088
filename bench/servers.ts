import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { App, HTTPReceiver } from '@slack/bolt';
import { ActivityHandler, CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory } from 'botbuilder';
import { createLogger } from '../adapters/host/logger.ts';
import { startProduct } from '../adapters/host/start.ts';
import { slackMessage } from '../adapters/slack/blocks/reply.ts';
import { builtInKnowledge, route } from '../src/index.ts';
import { QUESTIONS } from './http.ts';
import { FakeConnector } from '../test/helpers/fake-connector.ts';
import { FakeSlack } from '../test/helpers/fake-slack.ts';

// A server to benchmark, in its own process so the load generator does not share its event loop.
// argv[2]: empty-bolt | sized-bolt | echo-bot | product | store-host (argv[3]: none | sqlite | postgres) and what-ifs. Each has its own fake Slack API on loopback.
// Reports { url, connectorUrl, startupMs } over IPC and answers 'stats' with memory figures.

export const BENCH_SECRET = 'bench-signing-secret-0123456789';
const kind = process.argv[2];

const fake = await new FakeSlack({ record: false }).start();
// Replies go to the fake Bot Connector the bench started in its own process (BENCH_CONNECTOR_URL), or to one here.
const connectorUrl = process.env.BENCH_CONNECTOR_URL ?? (await new FakeConnector({ record: false }).start()).url;

/**
 * The product's store for a run: a temporary DATA_DIR (removed when the server exits), never the developer's ./data.
 * BENCH_DATA_DIR wins when set (store-host sets it per side).
 */
function benchDataDir(): string {
  if (process.env.BENCH_DATA_DIR) return process.env.BENCH_DATA_DIR;
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-bench-data-'));
  process.on('exit', () => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

let url: string;
let managementUrl: string | undefined;
/** Stops the server cleanly on the 'stop' message (store-host: writes what is queued, closes the store). */
let onStop: (() => Promise<object>) | undefined;
const listen = async (server: import('node:http').Server) => {
  await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
  return `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
};

if (kind === 'empty-bolt') {
  // The baseline for Slack: Bolt's HTTPReceiver and one command listener that only acks.
  const receiver = new HTTPReceiver({ signingSecret: BENCH_SECRET, endpoints: '/slack/events' });
  const app = new App({ token: 'xoxb-bench', receiver, clientOptions: { slackApiUrl: fake.apiUrl } });
  app.command('/coexist-vs-api', async ({ ack }) => {
    await ack();
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as import('node:http').Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
} else if (kind === 'sized-bolt') {
  // The fair baseline for Slack: Bolt acking, for each text the bench sends, the very body our app acks with,
  // computed once here. Both sides then serialise and send the same bytes.
  const kb = builtInKnowledge();
  const replies = new Map(['help', ...QUESTIONS].map((text) => [text, { response_type: 'ephemeral' as const, ...slackMessage(route(text, kb), 'ephemeral') }]));
  const receiver = new HTTPReceiver({ signingSecret: BENCH_SECRET, endpoints: '/slack/events' });
  const app = new App({ token: 'xoxb-bench', receiver, clientOptions: { slackApiUrl: fake.apiUrl } });
  app.command('/coexist-vs-api', async ({ ack, command }) => {
    await ack(replies.get(command.text));
  });
  const server = (await app.start({ port: 0, host: '127.0.0.1' })) as unknown as import('node:http').Server;
  url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
} else if (kind === 'echo-bot') {
  // The baseline for Teams: a bare Bot Framework echo bot (CloudAdapter, local mode) behind node:http.
  const adapter = new CloudAdapter(new ConfigurationBotFrameworkAuthentication({}, new ConfigurationServiceClientCredentialFactory({ MicrosoftAppId: '', MicrosoftAppPassword: '' })));
  const bot = new ActivityHandler();
  bot.onMessage(async (context, next) => {
    await context.sendActivity(`You said: ${context.activity.text}`);
    await next();
  });
  const server = createServer((req, res) => {
    let raw = '';
    req.on('data', (d: Buffer) => (raw += d));
    req.on('end', () => {
      const shim = {
        socket: res.socket,
        status: (c: number) => ((res.statusCode = c), shim),
        header: (k: string, v: unknown) => (res.setHeader(k, String(v)), shim),
        send: (b?: unknown) => (b !== undefined && res.write(typeof b === 'string' ? b : JSON.stringify(b)), shim),
        end: () => (res.end(), shim),
      };
      void adapter.process({ body: JSON.parse(raw), headers: req.headers, method: req.method }, shim, (ctx) => bot.run(ctx));
    });
  });
  url = await listen(server);
} else if (kind === 'slack-face') {
  // What-if (not in npm run bench): our Slack face alone behind a bare node:http server: no host (request ids,
  // metrics, routing), to tell the face's cost from the host's.
  const { createSlackFace } = await import('../adapters/slack/app.ts');
  const { builtInKnowledge: kb } = await import('../src/index.ts');
  const face = createSlackFace({ mode: 'http', botToken: 'xoxb-bench', signingSecret: BENCH_SECRET, apiUrl: fake.apiUrl } as never, kb(), createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', { dest: '/dev/null' }));
  await face.start();
  url = await listen(createServer((req, res) => face.requestListener!(req, res)));
} else if (kind === 'host' || kind === 'host-no-metrics') {
  // What-if: the host server and the Slack face, with or without metrics; no store, no Teams.
  const { createSlackFace } = await import('../adapters/slack/app.ts');
  const { startHost } = await import('../adapters/host/server.ts');
  const { loadConfig } = await import('../adapters/host/config.ts');
  const { Metrics } = await import('../adapters/host/metrics.ts');
  const { builtInKnowledge: kb } = await import('../src/index.ts');
  const loaded = loadConfig({ PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: fake.apiUrl });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', { dest: '/dev/null' });
  const knowledge = kb();
  const face = createSlackFace(loaded.config.slack as never, knowledge, logger);
  await face.start();
  const metrics = kind === 'host' ? new Metrics() : undefined;
  if (metrics) await metrics.load();
  const host = await startHost({ config: loaded.config, knowledge, logger, slack: face, ...(metrics ? { metrics } : {}) });
  url = host.url;
  managementUrl = host.managementUrl;
} else if (kind === 'store-host') {
  // The store's cost (npm run bench -- store): the host and the Slack face wired as adapters/host/start.ts wires
  // them (same config, metrics, info logs to /dev/null), with a StoreService passed to the face when argv[3] is
  // `sqlite` (DATA_DIR=BENCH_DATA_DIR) or `postgres` (DATABASE_URL=BENCH_DATABASE_URL), and none when it is `none`.
  // The only difference between the sides is the store. Teams is off on every side (it is not on the Slack path).
  // Keep this in step with startProduct(): the store's options, its onRecord counters and the face's arguments.
  // What-if (BENCH_STORE_DISCARD=1, not in npm run bench): `discard` gives the face a stand-in store whose recorder
  // (the real one) writes nowhere: the store's cost on the request path (ids, feedback buttons, a bigger ack, the
  // recorder, the counters) without any database.
  const storeKind = process.argv[3];
  if (storeKind !== 'none' && storeKind !== 'sqlite' && storeKind !== 'postgres' && storeKind !== 'discard') throw new Error(`store-host: unknown store "${storeKind}" (none, sqlite, postgres, discard)`);
  const { createSlackFace } = await import('../adapters/slack/app.ts');
  const { startHost } = await import('../adapters/host/server.ts');
  const { loadConfig } = await import('../adapters/host/config.ts');
  const { Metrics } = await import('../adapters/host/metrics.ts');
  const { StoreService } = await import('../adapters/store/service.ts');
  const { Recorder } = await import('../adapters/store/recorder.ts');
  const where = storeKind === 'sqlite' ? { DATA_DIR: process.env.BENCH_DATA_DIR } : storeKind === 'postgres' ? { DATABASE_URL: process.env.BENCH_DATABASE_URL } : {};
  if ((storeKind === 'sqlite' || storeKind === 'postgres') && !Object.values(where)[0]) throw new Error(`store-host ${storeKind}: set ${storeKind === 'sqlite' ? 'BENCH_DATA_DIR' : 'BENCH_DATABASE_URL'}`);
  const loaded = loadConfig({ PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: fake.apiUrl, TEAMS_ENABLED: 'false', ...where });
  if (!loaded.ok) throw new Error(loaded.problems.join('\n'));
  const config = loaded.config;
  const logger = createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', { dest: '/dev/null' });
  const knowledge = builtInKnowledge();
  const metrics = new Metrics();
  // What the bench checks after the run: every question handed to the recorder, and every record it dropped.
  const counted = { handed: 0, dropped: 0, storeErrors: 0 };
  const onRecord = (record: import('../adapters/store/recorder.ts').HandedRecord) => {
    if (record.kind === 'question') {
      counted.handed++;
      metrics.question(record.row.platform, record.row.topic !== null);
    } else if (record.kind === 'feedback') metrics.feedback(record.row.platform, record.row.target, record.row.rating);
  };
  const discarding = storeKind === 'discard' ? new Recorder({ write: async () => {}, onError: () => {}, observe: onRecord }) : undefined;
  const store =
    storeKind === 'none'
      ? undefined
      : discarding
        ? ({ recorder: discarding, store: {}, start: async () => {}, close: async () => discarding.close(), readiness: async () => ({ ready: true, store: 'sqlite' }) } as unknown as import('../adapters/store/service.ts').StoreService)
        : new StoreService({
          target: config.store.target,
          retentionDays: config.store.retentionDays,
          writes: config.store.writes,
          logger,
          onError: (operation, count) => {
            metrics.storeError(operation, count);
            if (operation === 'dropped') counted.dropped += count;
            else counted.storeErrors += count;
          },
          onRecord,
        });
  const face = createSlackFace(config.slack as never, knowledge, logger, undefined, store, config.knowledgeOwners);
  await face.start();
  const host = await startHost({ config, knowledge, logger, metrics, slack: face, ...(store ? { readiness: () => store.readiness() } : {}) });
  // The product opens the store after listening and does not wait for it; the bench waits, so that no round
  // measures records queued behind an opening store.
  await store?.start();
  if (store && !store.store) throw new Error(`store-host ${storeKind}: the store did not open (see the error above)`);
  await metrics.load();
  url = host.url;
  managementUrl = host.managementUrl;
  onStop = async () => {
    await host.stop();
    await store?.close(10_000);
    return counted;
  };
} else if (kind === 'product-dist') {
  // The product as `npm start` runs it: compiled JavaScript from dist/ (npm run build), no TypeScript loader.
  const host = (await import(new URL('../dist/adapters/host/start.js', import.meta.url).href)) as typeof import('../adapters/host/start.ts');
  const logs = (await import(new URL('../dist/adapters/host/logger.js', import.meta.url).href)) as typeof import('../adapters/host/logger.ts');
  const product = await host.startProduct(
    { PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: benchDataDir() },
    { logger: logs.createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', { dest: '/dev/null' }) },
  );
  url = product.url;
  managementUrl = product.managementUrl;
} else {
  // The product as deployed: info-level JSON logs (to /dev/null here, or BENCH_LOG_FILE), Slack over HTTP, Teams in local mode.
  const product = await startProduct(
    { PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', SLACK_BOT_TOKEN: 'xoxb-bench', SLACK_SIGNING_SECRET: BENCH_SECRET, SLACK_API_URL: fake.apiUrl, DATA_DIR: benchDataDir() },
    { logger: createLogger(process.env.BENCH_LOG_LEVEL ?? 'info', { dest: process.env.BENCH_LOG_FILE ?? '/dev/null' }) },
  );
  url = product.url;
  managementUrl = product.managementUrl;
}
const startupMs = Math.round(performance.now());
process.send?.({ url, ...(managementUrl ? { managementUrl } : {}), connectorUrl, startupMs });
process.on('message', (m) => {
  if (m === 'heap') {
    // Live heap after a full collection (needs --expose-gc): the measure of a leak, unlike RSS.
    (globalThis as { gc?: () => void }).gc?.();
    process.send?.({ heapMb: Math.round(process.memoryUsage().heapUsed / 1048576), rssMb: Math.round(process.memoryUsage().rss / 1048576) });
  }
  if (m === 'stats') {
    const cpu = process.cpuUsage();
    // memoryUsage() reads /proc: with every file descriptor taken (a connection flood) it throws EMFILE.
    let rssMb = -1;
    try {
      rssMb = Math.round(process.memoryUsage().rss / 1048576);
    } catch {
      // reported as -1
    }
    process.send?.({ rssMb, peakRssMb: Math.round(process.resourceUsage().maxRSS / 1024), cpuUs: cpu.user + cpu.system });
  }
});
process.on('message', (m) => {
  if (m !== 'stop') return;
  void (onStop ?? (async () => ({})))().then(
    (counts) => {
      process.send?.({ stopped: true, ...counts }, () => process.exit(0));
    },
    (err: unknown) => {
      console.error(err);
      process.exit(1);
    },
  );
});
process.on('SIGINT', () => process.exit(0));
