import type { Verifications } from '../store/verifications.ts';
import { App, HTTPReceiver } from './bolt.ts';
import type { Logger } from 'pino';
import type { Knowledge, PresentOptions } from '../../src/index.ts';
import type { ExpertDesk } from '../store/experts.ts';
import type { Config } from '../config.ts';
import { noteRequest, type RequestNote } from '../http.ts';
import type { StoreService } from '../store/service.ts';
import { boltLogger } from './bolt-logger.ts';
import { RecentKeys } from './dedupe.ts';
import type { SlackDeps } from './deps.ts';
import { guardSlackRequests } from './guard.ts';
import { Interactions } from './interactions.ts';
import { ChannelMemberships } from './memberships.ts';
import { SLACK_LIMITS, SLACK_WEB_API, type SlackWebApiPolicy } from './limits.ts';
import { registerActions } from './listeners/actions.ts';
import { registerAsk } from './listeners/ask.ts';
import { registerMentions } from './listeners/mentions.ts';
import { registerWorkflowStep } from './listeners/workflow.ts';
import { registerCommands } from './listeners/commands.ts';
import { registerEvents } from './listeners/events.ts';
import { registerViews } from './listeners/views.ts';
import { ListenerTable } from './listeners/table.ts';

// The Slack face: a Bolt App whose listeners are registered by kind (listeners/*). Over HTTP the host process
// owns the server and hands POST /slack/events to the receiver's request listener; in Socket Mode Bolt holds a
// WebSocket to Slack instead.

export interface SlackFace {
  app: App;
  /**
   * Node request listener for POST /slack/events (HTTP mode only): Bolt's, behind guard.ts (timestamp window,
   * body cap, body shape). Call it synchronously with the unread request.
   */
  requestListener?: HTTPReceiver['requestListener'];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every interaction in progress has finished (for graceful shutdown). */
  drain(): Promise<void>;
}

export function createSlackFace(
  config: Extract<Config['slack'], { mode: 'http' | 'socket' }>,
  knowledge: Knowledge,
  logger: Logger,
  webApi: Partial<SlackWebApiPolicy> = {},
  store?: StoreService,
  knowledgeOwners: readonly string[] = [],
  /** SALES_LEADS: who sees every recommendation of their workspace. */
  salesLeads: readonly string[] = [],
  /** What the operator configured about replies (EXPERT_HINT), and the verification state (read at each reply). */
  present: PresentOptions = {},
  /** *Ask an expert*: EXPERTS_CHANNEL, the Notifier, the store. */
  experts?: ExpertDesk,
  /** The stored verifications in memory (the host's): a Still correct updates them at once. */
  verifications?: Verifications,
): SlackFace {
  const log = logger.child({ component: 'slack' });
  const policy: SlackWebApiPolicy = { ...SLACK_WEB_API, ...webApi };
  const clientOptions = {
    ...(config.apiUrl ? { slackApiUrl: config.apiUrl } : {}),
    timeout: policy.timeoutMs,
    retryConfig: { retries: policy.retries, factor: 2, minTimeout: policy.minRetryDelayMs, maxTimeout: policy.maxRetryDelayMs },
    // A 429 is waited out by our delivery code, bounded; the client would otherwise wait as long as Slack says.
    rejectRateLimitedCalls: true,
  };
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.mode === 'http') {
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger(logger),
      bodyLimit: SLACK_LIMITS.maxRequestBytes,
      // noteRequest: what the request is about, for the host's coexist_requests_total (Interactions.run calls it).
      customPropertiesExtractor: (req) => ({ requestId: req.headers['x-request-id'], noteRequest: (note: RequestNote) => noteRequest(req, note) }),
    });
    app = new App({ token: config.botToken, receiver, logger: boltLogger(logger), clientOptions, deferInitialization: true, convoStore: false, ignoreSelf: false });
  } else {
    app = new App({
      token: config.botToken,
      appToken: config.appToken,
      socketMode: true,
      logger: boltLogger(logger),
      clientOptions,
      // Bolt hands only installerOptions.clientOptions to the Socket Mode client: without this its
      // apps.connections.open call would ignore SLACK_API_URL.
      installerOptions: { clientOptions },
      deferInitialization: true,
      convoStore: false,
      ignoreSelf: false,
    });
  }

  // convoStore: false: the app keeps no conversation state (every button carries its own), and Bolt's default
  // in-memory store costs an allocation-heavy lookup on every request. ignoreSelf: false: the only listener that
  // could see our own messages (DMs) already ignores every bot message, so Bolt's global filter is not needed.

  const interactions = new Interactions(log);
  // Deduplication in the store, shared by every replica; in this process's memory when there is no store.
  const recent = store ? undefined : new RecentKeys();
  const deps: SlackDeps = {
    knowledge,
    present,
    logger: log,
    interactions,
    webApi: policy,
    claim: store ? (key, ttlMs, whenUnsure) => store.claim(key, ttlMs, whenUnsure) : (key, ttlMs) => Promise.resolve(recent!.firstTime(key, ttlMs)),
    ...(store ? { store } : {}),
    owners: new Set(knowledgeOwners.map((id) => id.toLowerCase())),
    leads: new Set(salesLeads.map((id) => id.toLowerCase())),
    memberships: new ChannelMemberships(log),
    ...(experts ? { experts } : {}),
    ...(verifications ? { verifications } : {}),
  };
  // Listeners by kind (listeners/*), served from one table by one middleware (listeners/table.ts says why).
  const listeners = new ListenerTable();
  registerCommands(listeners, deps);
  registerActions(listeners, deps);
  registerViews(listeners, deps);
  registerEvents(listeners, deps);
  registerAsk(listeners, deps);
  registerMentions(listeners, deps);
  registerWorkflowStep(listeners, deps);
  app.use(listeners.middleware());
  app.error(async (err) => {
    log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'unhandled Slack listener error');
  });

  return {
    app,
    ...(receiver ? { requestListener: guardSlackRequests(receiver.requestListener, { maxBytes: SLACK_LIMITS.maxRequestBytes, log }) } : {}),
    async start() {
      // init() calls auth.test (at SLACK_API_URL when set): a bad token stops the start with a clear message.
      await app.init();
      if (config.mode === 'socket') await app.start();
    },
    async stop() {
      if (config.mode === 'socket') await app.stop();
    },
    async drain() {
      await interactions.drain();
    },
  };
}
