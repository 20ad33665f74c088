import type { Logger } from 'pino';
import { builtInKnowledge, loadKnowledgeFile, type Knowledge, type PresentOptions } from '../../src/index.ts';
import { Verifications } from '../store/verifications.ts';
import { REMINDER_HOUR, remindVerifiers, type ReminderRun } from './reminders.ts';
import type { SlackFace } from '../slack/app.ts';
import type { SlackWebApiPolicy } from '../slack/limits.ts';
import type { TeamsConnectorPolicy, TeamsSignInPolicy } from '../teams/limits.ts';
import { describeConfig, isLoopbackHost, loadConfig, type Config } from '../config.ts';
import { HOST_LIMITS, type HostLimits } from '../server-limits.ts';
import { refuseUnread } from '../http.ts';
import { createLogger } from './logger.ts';
import { Metrics } from './metrics.ts';
import { StoreService, type StoreServiceOptions } from '../store/service.ts';
import type { TeamsFace } from '../teams/face.ts';
import { SlackConnection, type SlackConnectPolicy } from './slack-connect.ts';
import { productVersion } from '../version.ts';
import type { Notifier } from '../notify.ts';
import { productNotifier } from './notifier.ts';
import type { RecheckRunOutcome } from '../store/recheck.ts';
import { expertsOn, type ExpertDesk } from '../store/experts.ts';
import { Scheduler, dailyAt, type Clock } from './schedule.ts';
import { SourceWatch } from './source-watch.ts';
import type { SourceFetchPolicy } from './source-fetch.ts';
import { reportJob } from './report-push.ts';
import type { NotifyPlatform } from '../notify.ts';
import { SLACK_WEB_API } from '../slack/limits.ts';
import { TEAMS_CONNECTOR } from '../teams/limits.ts';
import { ManagementPortError, startHost, type HostSlack, type RunningHost } from './server.ts';

// Wires configuration, knowledge, logging and the platform faces into one running process.

/** How long the recheck after a start waits for the store to open (it retries in the background meanwhile). */
const RECHECK_STORE_WAIT_MS = 10 * 60_000;
/** How long a stop waits for a recheck in progress before closing the store. */
const RECHECK_STOP_WAIT_MS = 5000;
/**
 * How long a stop waits for a scheduled run in progress (a report's retry, a page being fetched), beside the drain of
 * the requests in flight: the process must be done before main.ts's backstop (15 s).
 */
export const SCHEDULED_STOP_WAIT_MS = 3000;
/** How often a recheck whose notes wait for a platform looks whether it has connected. */
const RECHECK_WAIT_POLL_MS = 1000;

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
  /**
   * Sends messages outside any request (reminders, the weekly report, expert questions, recheck notes): Slack when it
   * is configured, Teams when it is on (local mode: only to loopback or TEAMS_ALLOWED_SERVICE_URLS); see notifier.ts.
   */
  notifier: Notifier;
  /**
   * Jobs on a schedule, each slot run once across replicas (schedule.ts): the owners' weekly report; features add
   * theirs with `scheduler.add({ name, schedule, run })`. Started once the store's first open attempt is over.
   */
  scheduler: Scheduler;
  /** SOURCE_WATCH=true: the daily check of the pages cited in sources.yml (source-watch.ts); its run is watchSources(now). */
  sourceWatch?: SourceWatch;
  /** Resolves when the store's first open-and-migrate attempt is over (it is opened after the server listens). */
  storeStarted: Promise<void>;
  /**
   * The recheck of posted recommendations under this knowledge version (adapters/store/recheck.ts), started once the
   * store is open and Slack has answered (or not) at start: it never delays the start. Resolves with what it did.
   */
  recheck: Promise<RecheckRunOutcome>;
  /**
   * Resolves with the operator's message if Slack, unreachable at start, later answers that it refuses the
   * credentials: the process should then exit 1 (main.ts does). Never resolves otherwise.
   */
  fatal: Promise<string>;
  /** The stored verifications in memory (what answers are made with). */
  verifications: Verifications;
  /** Sends the verifiers' reminders due at `now` (a daily job of the scheduler), once across replicas. */
  remindVerifiers(now?: number): Promise<ReminderRun>;
}

export interface StartOptions {
  /** Overrides of the source watch's fetch limits (tests: short timeouts, http to a loopback fake server). */
  sourceWatch?: { fetch?: Partial<SourceFetchPolicy> };
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
  /** Overrides for the retries while Slack cannot be reached at start (tests use short waits). */
  slackConnect?: Partial<SlackConnectPolicy>;
  /** Where messages outside a request go instead of the platforms' (tests: a recording fake). */
  notifier?: Notifier;
  /** How often the stored verifications are read again (default VERIFICATIONS_REFRESH_MS). */
  verificationsRefreshMs?: number;
  /** The scheduler's clock (tests move a fake one and call scheduler.tick()); default the system clock. */
  clock?: Clock;
  /**
   * The day topics' review dates are judged on ("may be out of date"), in epoch ms; default `clock`, else the system
   * clock. Tests of knowledge with fixed dates pin it, so their answers do not change as the calendar moves on.
   */
  today?: () => number;
  /** Start the scheduler's timers (default true; tests that drive it with tick() may turn them off). */
  scheduleTimers?: boolean;
  /** Waits before each retry of a weekly report delivery that failed (tests use short ones). */
  reportRetryDelaysMs?: number[];
}

/** The hour of the day (in REPORT_TZ) the source watch runs. */
export const SOURCE_WATCH_HOUR = 5;

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
    recheckDays: config.store.recheckDays,
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

  // The stored verifications, in memory (read when the store opens, then every few minutes): each reply is made with
  // them and today's date, read when the reply is made (the getter: a face holds one options object for its life, so
  // never spread it, which would freeze the state of the moment).
  const verifications = new Verifications(store, options.today ?? (options.clock ? () => options.clock!.now() : Date.now), knowledge);
  // What the operator configured about replies, with what a face adds (askExpert): handed to each face's router.
  const presentWith = (extra: Omit<PresentOptions, 'verification'> = {}): PresentOptions => ({
    ...(config.expertHint ? { expertHint: config.expertHint } : {}),
    ...extra,
    get verification() {
      return verifications.state();
    },
  });

  // Each platform's SDK is loaded only when that platform is on: Bolt and botbuilder cost hundreds of
  // milliseconds and tens of megabytes to import. Bolt is loaded after the server listens (below); until it is loaded
  // and Slack has answered auth.test, /slack/events answers 503 with Retry-After (Slack retries events) and /readyz 503.
  let face: SlackFace | undefined;
  let connection: SlackConnection | undefined;
  const slackGate: HostSlack | undefined =
    config.slack.mode === 'off'
      ? undefined
      : {
          ...(config.slack.mode === 'http'
            ? {
                requestListener: (req, res) => {
                  if (face?.requestListener && connection?.connected) return face.requestListener(req, res);
                  refuseUnread(res, 503, { error: 'Slack is not connected yet; retry shortly.' }, { 'retry-after': '5' });
                },
              }
            : {}),
          drain: async () => face?.drain(),
          stop: async () => face?.stop(),
        };
  let teams: TeamsFace | undefined;
  if (config.teams.auth !== 'off') {
    const teamsConfig = config.teams;
    teams = loadedOnFirstUse(async () => {
      const { createTeamsFace } = await import('../teams/face.ts');
      return createTeamsFace(teamsConfig, knowledge, logger, options.teamsConnector, store, config.knowledgeOwners, config.salesLeads, options.teamsSignIn, presentWith({ askExpert: expertsOn(config.experts, 'teams') }), experts, verifications);
    });
  }
  const notifier = options.notifier ?? productNotifier({
    logger,
    ...(config.slack.mode !== 'off'
      ? {
          slack: {
            connected: () => connection?.connected === true,
            sender: async () => {
              const { SlackNotifier } = await import('../slack/notify.ts');
              return new SlackNotifier({ client: () => (connection?.connected ? face?.app.client : undefined), logger, policy: { ...SLACK_WEB_API, ...options.slackWebApi } });
            },
          },
        }
      : {}),
    ...(config.teams.auth !== 'off'
      ? {
          teams: {
            sender: async () => {
              const teamsConfig = config.teams as Exclude<Config['teams'], { auth: 'off' }>;
              const { TeamsNotifier } = await import('../teams/proactive.ts');
              return new TeamsNotifier({ teams: teamsConfig, knowledge, logger, store, policy: { ...TEAMS_CONNECTOR, ...options.teamsConnector } });
            },
          },
        }
      : {}),
  });
  // *Ask an expert*: each platform's experts' channel, posted to and relayed from through the Notifier.
  const experts: ExpertDesk = {
    knowledge,
    store,
    notifier,
    channels: config.experts,
    logger: logger.child({ component: 'experts' }),
    answered: (platform, seconds) => metrics.expertAnswered(platform, seconds),
  };
  const sourceWatch = config.sourceWatch
    ? new SourceWatch({ knowledge, store, notifier, logger, owners: config.knowledgeOwners, ...(options.sourceWatch?.fetch ? { fetch: options.sourceWatch.fetch } : {}) })
    : undefined;
  const host = await startHost({
    config,
    knowledge,
    logger,
    metrics,
    readiness: readinessLoggedOnChange(async () => {
      const r = await store.readiness();
      if (config.slack.mode === 'off') return r;
      if (!connection?.connected) return { ...r, ready: false, slack: 'not connected', reason: connection?.problem ?? 'Slack has not answered yet' };
      return { ...r, slack: 'connected' };
    }, logger),
    ...(teams ? { teams } : {}),
    ...(slackGate ? { slack: slackGate } : {}),
    ...(options.drainMs !== undefined ? { drainMs: options.drainMs } : {}),
    ...(options.httpLimits ? { limits: options.httpLimits } : {}),
  }).catch((err: unknown) => {
    if (err instanceof ManagementPortError) throw new StartError([err.message]);
    throw err;
  });
  // The store and prom-client are loaded after the server listens: together they cost about 150 ms of imports,
  // which would otherwise delay the first answer. Until the store is open /readyz says 503 and records wait in
  // the recorder's queue.
  const storeStarted = store.start();
  void storeStarted.then(() => verifications.start(options.verificationsRefreshMs, logger)).catch(() => undefined);
  const clock = options.clock;
  const scheduler = new Scheduler({
    logger: logger.child({ component: 'schedule' }),
    timezone: config.report.timezone,
    ...(clock ? { clock } : {}),
    claim: (key, ttlMs) => store.claimOrUnsure(key, ttlMs, clock?.now()),
  });
  // The owners' weekly report, at REPORT_SCHEDULE in REPORT_TZ (report-push.ts).
  if (config.knowledgeOwners.length > 0) {
    const configured = new Set<NotifyPlatform>([...(config.slack.mode !== 'off' ? (['slack'] as const) : []), ...(config.teams.auth !== 'off' ? (['teams'] as const) : [])]);
    scheduler.add(
      reportJob(
        { owners: config.knowledgeOwners, knowledge, store, notifier, configured, logger, metrics, ...(options.reportRetryDelaysMs ? { retryDelaysMs: options.reportRetryDelaysMs } : {}) },
        config.report,
      ),
    );
  }
  // Source watch (SOURCE_WATCH=true): the cited pages checked once a day, at SOURCE_WATCH_HOUR in REPORT_TZ, before
  // the working day (and before a Monday report, which lists the changes). The scheduler claims each slot across
  // replicas, so the run does not claim its day again.
  if (sourceWatch) {
    scheduler.add({ name: 'source-watch', schedule: dailyAt(SOURCE_WATCH_HOUR), run: async () => void (await sourceWatch.watchSources(new Date(clock?.now() ?? Date.now()), true)) });
  }
  // The verifiers' reminders (reminders.ts): every day at REMINDER_HOUR in the scheduler's time zone (REPORT_TZ); the
  // job's slot is claimed once across replicas, and each topic's reminder once per due day.
  scheduler.add({
    name: 'verification-reminders',
    schedule: dailyAt(REMINDER_HOUR),
    run: async (slot) => {
      await remindVerifiers({ store, knowledge, verifications, notifier, logger }, Math.max(slot.getTime(), clock?.now() ?? Date.now()));
    },
  });
  // After the store's first open attempt, so a slot missed while this replica was down is claimed against the store
  // (a store still not open makes the slot 'unsure': tried again a minute later).
  if (options.scheduleTimers !== false) void storeStarted.then(() => scheduler.start());
  void metrics.load();
  for (const line of describeConfig(config)) logger.info(line);
  if (config.teams.auth === 'local' && !isLoopbackHost(host.address)) {
    logger.warn({ address: host.address }, `HOST=${config.host ?? ''} exposes the unauthenticated Teams endpoint beyond this machine; replies still go only to loopback or TEAMS_ALLOWED_SERVICE_URLS`);
  }
  const everywhere = host.address === '::' || host.address === '0.0.0.0';
  logger.info(
    { version: productVersion(), url: host.url, address: host.address, port: host.port, managementUrl: host.managementUrl, knowledge: config.knowledgeFile ?? 'built-in', topics: knowledge.topics.length },
    `coexist-advisor listening on ${host.boundUrl}${everywhere ? ' (all interfaces)' : ''}`,
  );
  if (config.management.shared) {
    const why = config.management.port === config.port && env.MANAGEMENT_PORT ? 'as MANAGEMENT_PORT equals PORT' : 'as MANAGEMENT_PORT is not set';
    logger.info({ managementUrl: host.managementUrl }, `management endpoints (GET /healthz, /readyz, /metrics) on the public port ${host.managementBoundUrl}, ${why}: whoever reaches the bot can read them; give MANAGEMENT_PORT a port of its own (the container image uses ${HOST_LIMITS.managementPort}) to keep them private`);
  } else {
    logger.info({ managementUrl: host.managementUrl }, `management endpoints (GET /healthz, /readyz, /metrics) on ${host.managementBoundUrl} (MANAGEMENT_PORT, MANAGEMENT_HOST)`);
  }
  // Bolt, then Slack's auth.test, after listening: a refused token stops the start (exit 1); an unreachable Slack is
  // retried in the background while /readyz says 503 (slack-connect.ts says why).
  if (config.slack.mode !== 'off') {
    const slackConfig = config.slack;
    const { createSlackFace } = await import('../slack/app.ts');
    const created = createSlackFace(slackConfig, knowledge, logger, options.slackWebApi, store, config.knowledgeOwners, config.salesLeads, presentWith({ askExpert: expertsOn(config.experts, 'slack') }), experts, verifications);
    face = created;
    connection = new SlackConnection({
      attempt: () => created.start(),
      apiUrl: slackConfig.apiUrl ?? 'https://slack.com/api/',
      apiUrlChosen: slackConfig.apiUrl !== undefined,
      socket: slackConfig.mode === 'socket',
      logger,
      ...(options.slackConnect ? { policy: options.slackConnect } : {}),
    });
    const first = await connection.start();
    if ('fatal' in first) {
      // Whatever closing says (a Socket Mode client that never connected may throw on stop), the refusal is the news.
      connection.stop();
      verifications.stop();
      await scheduler.stop();
      await host.stop().catch(() => undefined);
      await storeStarted.catch(() => undefined);
      await store.close().catch(() => undefined);
      throw new StartError([first.fatal]);
    }
  }
  // After a deploy with new knowledge: recheck the posted recommendations, in the background (never blocks the start).
  const recheck = storeStarted.then(async (): Promise<RecheckRunOutcome> => {
    const opened = await store.opened(RECHECK_STORE_WAIT_MS);
    if (!opened) {
      logger.warn({ job: 'recheck' }, `recheck skipped: the store did not open within ${RECHECK_STORE_WAIT_MS / 60_000} minutes; the next start runs it`);
      return { ran: false, why: 'the store is not open' };
    }
    const { recheckAfterDeploy } = await import('../store/recheck.ts');
    const configured = new Set<NotifyPlatform>([...(config.slack.mode !== 'off' ? (['slack'] as const) : []), ...(config.teams.auth !== 'off' ? (['teams'] as const) : [])]);
    const run = () => (recheckRunning = recheckAfterDeploy({ store: opened, knowledge, notifier, configured, logger, recheckDays: config.store.recheckDays }));
    const first = await run();
    // Notes waiting for a platform that has not connected yet (Slack unreachable at start): run again once it has
    // (the run was released; notes already sent are not sent again), until none waits or the product stops.
    const again = async (outcome: RecheckRunOutcome): Promise<void> => {
      if (!outcome.ran || outcome.finished || recheckStopped) return;
      const waitingFor = outcome.waitingFor;
      await new Promise<void>((resolve) => {
        const poll = () => {
          if (recheckStopped || waitingFor.some((p) => notifier.platforms().has(p))) return resolve();
          recheckRetry = setTimeout(poll, RECHECK_WAIT_POLL_MS);
          recheckRetry.unref();
        };
        recheckStopWaiting = resolve;
        poll();
      });
      if (recheckStopped) return;
      await again(await run());
    };
    void again(first).catch((err: unknown) => logger.error({ job: 'recheck', err: { message: (err as Error)?.message } }, `recheck retry failed: ${(err as Error)?.message}`));
    return first;
  });
  let recheckRunning: Promise<RecheckRunOutcome> | undefined;
  let recheckStopped = false;
  let recheckRetry: NodeJS.Timeout | undefined;
  let recheckStopWaiting: (() => void) | undefined;
  return {
    ...host,
    config,
    knowledge,
    logger,
    recheck,
    ...(face ? { slack: face } : {}),
    store,
    metrics,
    notifier,
    scheduler,
    ...(sourceWatch ? { sourceWatch } : {}),
    storeStarted,
    fatal: connection ? connection.fatal : new Promise<string>(() => {}),
    verifications,
    remindVerifiers: (now = options.clock?.now() ?? Date.now()) => remindVerifiers({ store, knowledge, verifications, notifier, logger }, now),
    // After the requests in flight (and what they recorded): write what is queued, then close the store.
    stop: async () => {
      verifications.stop();
      connection?.stop();
      recheckStopped = true;
      clearTimeout(recheckRetry);
      recheckStopWaiting?.();
      const cut = scheduler.runningJobs();
      const [finished] = await Promise.all([scheduler.stop(SCHEDULED_STOP_WAIT_MS), host.stop()]);
      if (!finished) logger.warn({ jobs: cut }, `stopping while ${cut.join(', ')} still ran (waited ${SCHEDULED_STOP_WAIT_MS} ms): what it had not done is not done for that slot; its log lines say how far it got`);
      // A recheck in progress gets a moment to finish its note (one not begun is left to the next start).
      if (recheckRunning) await Promise.race([recheckRunning, new Promise((resolve) => setTimeout(resolve, RECHECK_STOP_WAIT_MS).unref())]);
      await store.close();
    },
  };
}

/**
 * /readyz as the log tells it: one line when readiness changes (warn with the reason when it is lost, info when it is
 * back), not one per probe: a load balancer probes twice a second through an outage.
 */
export function readinessLoggedOnChange<R extends { ready: boolean; store: string; slack?: string; reason?: string }>(check: () => Promise<R>, logger: Logger): () => Promise<R> {
  let last: boolean | undefined;
  return async () => {
    const r = await check();
    if (r.ready !== last) {
      // Readiness lost is a warning; not ready yet at start is information (the store's own lines say what failed).
      if (!r.ready && last === true) logger.warn({ store: r.store, reason: r.reason }, `not ready: ${r.reason ?? 'the store does not answer'} (GET /readyz answers 503 until this changes)`);
      else if (!r.ready) logger.info({ store: r.store, reason: r.reason }, `not ready yet: ${r.reason ?? 'the store does not answer'} (GET /readyz answers 503 until this changes)`);
      else if (last === false) logger.info({ store: r.store, ...(r.slack ? { slack: r.slack } : {}) }, `ready again: the store answers and takes writes${r.slack ? ' and Slack is connected' : ''} (GET /readyz answers 200)`);
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
