import type { Logger } from 'pino';
import { builtInKnowledge, loadKnowledgeFile, type Knowledge } from '../../src/index.ts';
import type { SlackFace } from '../slack/app.ts';
import type { SlackWebApiPolicy } from '../slack/limits.ts';
import type { TeamsConnectorPolicy, TeamsSignInPolicy } from '../teams/limits.ts';
import { describeConfig, isLoopbackHost, loadConfig, type Config } from '../config.ts';
import type { HostLimits } from '../server-limits.ts';
import { createLogger, withoutCredentials } from './logger.ts';
import { Metrics } from './metrics.ts';
import { StoreService, type StoreServiceOptions } from '../store/service.ts';
import type { TeamsFace } from '../teams/face.ts';
import { startHost, type RunningHost } from './server.ts';

// Wires configuration, knowledge, logging and the platform faces into one running process.

export class StartError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface Product extends RunningHost {
  config: Config;
  knowledge: Knowledge;
  logger: Logger;
  /** The Slack face when Slack is on: its drain() resolves when every interaction in progress has finished. */
  slack?: SlackFace;
  /** The store: recorder (fire-and-forget writes), claim() for deduplication across replicas, readiness. */
  store: StoreService;
  metrics: Metrics;
  /** Resolves when the store's first open-and-migrate attempt is over (it is opened after the server listens). */
  storeStarted: Promise<void>;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides for how Slack's Web API is called (tests use short timeouts). */
  slackWebApi?: Partial<SlackWebApiPolicy>;
  /** Overrides for how the Bot Connector is called (tests use short timeouts and retry delays). */
  teamsConnector?: Partial<TeamsConnectorPolicy>;
  /** How long a shutdown waits for work in flight before it closes what is left (default 10 s). */
  drainMs?: number;
  /** Overrides for the HTTP server's timeouts and caps (tests use short timeouts). */
  httpLimits?: Partial<HostLimits>;
  /** Overrides for Bot Framework sign-in: metadata deadline, and where the metadata is (tests use a fake on 127.0.0.1). */
  teamsSignIn?: Partial<TeamsSignInPolicy>;
  /** Overrides for the store's waits (tests of a broken store use a short claim deadline and recorder back-off). */
  store?: Pick<StoreServiceOptions, 'claimDeadlineMs' | 'recorder'>;
}

export async function startProduct(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<Product> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new StartError(loaded.problems);
  const config = loaded.config;
  const logger = options.logger ?? createLogger(config.logLevel);

  let knowledge: Knowledge;
  if (config.knowledgeFile) {
    const result = loadKnowledgeFile(config.knowledgeFile);
    if (!result.ok) throw new StartError([`KNOWLEDGE_FILE ${config.knowledgeFile} is invalid:`, ...result.problems.map((p) => `  ${p}`)]);
    knowledge = result.knowledge;
  } else knowledge = builtInKnowledge();

  // Made before the faces (cheap: nothing is loaded or opened until start() and load(), after listening), so the
  // faces can be given them.
  const metrics = new Metrics();
  const store = new StoreService({
    target: config.store.target,
    retentionDays: config.store.retentionDays,
    writes: config.store.writes,
    ...options.store,
    logger,
    onError: (operation, count) => metrics.storeError(operation, count),
    onClaimFallback: (use, decision) => metrics.claimFallback(use, decision),
    // Questions (answered or not) and feedback are counted as they are handed to the recorder, stored or not.
    onRecord: (record) => {
      if (record.kind === 'question') metrics.question(record.row.platform, record.row.topic !== null);
      else if (record.kind === 'feedback') metrics.feedback(record.row.platform, record.row.target, record.row.rating);
    },
  });

  // What the operator configured about replies: handed to each face's router.
  const present = config.expertHint ? { expertHint: config.expertHint } : {};

  // Each platform's SDK is loaded only when that platform is on: Bolt and botbuilder cost hundreds of
  // milliseconds and tens of megabytes to import.
  let slack: SlackFace | undefined;
  if (config.slack.mode !== 'off') {
    const { createSlackFace } = await import('../slack/app.ts');
    slack = createSlackFace(config.slack, knowledge, logger, options.slackWebApi, store, config.knowledgeOwners, config.salesLeads, present);
    try {
      await slack.start();
    } catch (err) {
      const code = (err as { data?: { error?: string }; code?: string }).data?.error ?? (err as Error).message;
      // Shown to the operator: the URL (also inside the client's error) without its user and password.
      throw new StartError([withoutCredentials(`Slack did not accept the credentials (${code}). Check SLACK_BOT_TOKEN${config.slack.mode === 'socket' ? ' and SLACK_APP_TOKEN' : ''}${config.slack.apiUrl ? ` and SLACK_API_URL (${config.slack.apiUrl})` : ''}.`)]);
    }
  }
  let teams: TeamsFace | undefined;
  if (config.teams.auth !== 'off') {
    const teamsConfig = config.teams;
    teams = loadedOnFirstUse(async () => {
      const { createTeamsFace } = await import('../teams/face.ts');
      return createTeamsFace(teamsConfig, knowledge, logger, options.teamsConnector, store, config.knowledgeOwners, config.salesLeads, options.teamsSignIn, present);
    });
  }
  const host = await startHost({
    config,
    knowledge,
    logger,
    metrics,
    readiness: readinessLoggedOnChange(() => store.readiness(), logger),
    ...(teams ? { teams } : {}),
    ...(slack ? { slack } : {}),
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.httpLimits ? { limits: options.httpLimits } : {}),
  });
  // The store and prom-client are loaded after the server listens: together they cost about 150 ms of imports,
  // which would otherwise delay the first answer. Until the store is open /readyz says 503 and records wait in
  // the recorder's queue.
  const storeStarted = store.start();
  void metrics.load();
  for (const line of describeConfig(config)) logger.info(line);
  if (config.teams.auth === 'local' && !isLoopbackHost(host.address)) {
    logger.warn({ address: host.address }, `HOST=${config.host ?? ''} exposes the unauthenticated Teams endpoint beyond this machine; replies still go only to loopback or TEAMS_ALLOWED_SERVICE_URLS`);
  }
  const everywhere = host.address === '::' || host.address === '0.0.0.0';
  logger.info(
    { url: host.url, address: host.address, port: host.port, knowledge: config.knowledgeFile ?? 'built-in', topics: knowledge.topics.length },
    `coexist-advisor listening on ${host.boundUrl}${everywhere ? ' (all interfaces)' : ''}`,
  );
  return {
    ...host,
    config,
    knowledge,
    logger,
    ...(slack ? { slack } : {}),
    store,
    metrics,
    storeStarted,
    // After the requests in flight (and what they recorded): write what is queued, then close the store.
    stop: async () => {
      await host.stop();
      await store.close();
    },
  };
}

/**
 * /readyz as the log tells it: one line when readiness changes (warn with the reason when it is lost, info when it is
 * back), not one per probe: a load balancer probes twice a second through an outage.
 */
export function readinessLoggedOnChange<R extends { ready: boolean; store: string; reason?: string }>(check: () => Promise<R>, logger: Logger): () => Promise<R> {
  let last: boolean | undefined;
  return async () => {
    const r = await check();
    if (r.ready !== last) {
      // Readiness lost is a warning; not ready yet at start is information (the store's own lines say what failed).
      if (!r.ready && last === true) logger.warn({ store: r.store, reason: r.reason }, `not ready: ${r.reason ?? 'the store does not answer'} (GET /readyz answers 503 until this changes)`);
      else if (!r.ready) logger.info({ store: r.store, reason: r.reason }, `not ready yet: ${r.reason ?? 'the store does not answer'} (GET /readyz answers 503 until this changes)`);
      else if (last === false) logger.info({ store: r.store }, 'ready again: the store answers and takes writes (GET /readyz answers 200)');
      last = r.ready;
    }
    return r;
  };
}

/**
 * The Teams face, loaded when the first activity arrives: the Bot Framework SDK is the largest thing the process
 * would otherwise load at start (about 250 ms and 50 MB here), and many deployments see Teams traffic rarely.
 * The first activity waits for the load once; a load that fails answers 500 and is logged, and the next one tries again.
 */
function loadedOnFirstUse(load: () => Promise<TeamsFace>): TeamsFace {
  let face: Promise<TeamsFace> | undefined;
  const get = () => {
    face ??= load().catch((err: unknown) => {
      face = undefined;
      throw err;
    });
    return face;
  };
  return {
    async handle(req, res, requestId) {
      await (await get()).handle(req, res, requestId);
    },
    async drain() {
      if (face) await (await face).drain();
    },
  };
}
