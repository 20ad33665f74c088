import type { Verifications } from '../store/verifications.ts';
import type { IncomingMessage, ServerResponse } from 'node:http';
import { defaultRetryPolicy, type PipelinePolicy } from '@azure/core-rest-pipeline';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type Activity } from 'botbuilder';
import type { Logger } from 'pino';
import { z } from 'zod';
import type { Knowledge, PresentOptions } from '../../src/index.ts';
import type { ExpertDesk } from '../store/experts.ts';
import type { Config } from '../config.ts';
import { HttpError, noteRequest, parseJsonBody, readBody, refuseIfDeclaredTooLarge, sendJson } from '../http.ts';
import type { StoreService } from '../store/service.ts';
import { AdvisorBot } from './bot.ts';
import { requestNoteOf } from './turn.ts';
import { serviceUrlAllowed } from './service-url.ts';
import { ConversationRefs } from './conversation-refs.ts';
import { TEAMS_CONNECTOR, TEAMS_LIMITS, TEAMS_SIGN_IN, type TeamsConnectorPolicy, type TeamsSignInPolicy } from './limits.ts';
import { boundSignIn, SignInUnavailable, type SignIn } from './sign-in.ts';

// The Teams face: POST /api/messages → Bot Framework CloudAdapter → AdvisorBot. The host reads and checks the
// body; CloudAdapter.processActivity authenticates it and runs the turn; we answer and log (CloudAdapter.process
// would print its errors to the console instead of our log).
//
// Safety, before any turn runs:
// - The activity must have the shape a turn relies on (a malformed one is a 400 and a warning, not a stack trace).
// - In local mode nothing authenticates the caller, so the bot would send its reply (a POST or PUT with a body the
//   caller shaped) wherever the activity's serviceUrl points. Only loopback or configured origins are accepted.
//   With Bot Framework auth the signed token binds the serviceUrl, so this check is not needed there.
// - Turns in flight are capped, and every Bot Connector call is bounded (TEAMS_CONNECTOR).
// - Checking a token never waits long on Bot Framework's sign-in metadata (sign-in.ts, TEAMS_SIGN_IN): when it
//   cannot be fetched, the request gets 503 with Retry-After at once and the outage is logged once.
// (The host has already refused, unread, a request without `Authorization: Bearer` outside local mode, one
// declared over TEAMS_LIMITS.maxRequestBytes, and one that would pass the body bytes in flight.)

export type TeamsOn = Exclude<Config['teams'], { auth: 'off' }>;

/** CloudAdapter with its turn runner reachable: we parse, answer and log the HTTP side ourselves. */
class AdvisorAdapter extends CloudAdapter {
  runActivity(authorization: string, activity: Activity, logic: Parameters<CloudAdapter['processActivityDirect']>[2]) {
    return this.processActivity(authorization, activity, logic);
  }
}

/** Gives each Bot Connector call a timeout and our retry policy in place of the SDK's (minutes, unbounded in total). */
function boundConnector(client: unknown, policy: TeamsConnectorPolicy): void {
  // ConnectorClient keeps its HTTP pipeline (@azure/core-rest-pipeline) on a field the typings mark private.
  const pipeline = (client as { client?: { pipeline?: { removePolicy(p: { phase: 'Retry' }): unknown; addPolicy(p: PipelinePolicy, o?: object): void } } }).client?.pipeline;
  if (!pipeline) throw new Error('botbuilder ConnectorClient has no HTTP pipeline: cannot bound Bot Connector calls');
  pipeline.removePolicy({ phase: 'Retry' });
  pipeline.addPolicy(defaultRetryPolicy({ maxRetries: policy.retries, retryDelayInMs: policy.retryDelayMs, maxRetryDelayInMs: policy.maxRetryDelayMs }), { phase: 'Retry' });
  pipeline.addPolicy({
    name: 'coexistAdvisorTimeout',
    sendRequest(request, next) {
      request.timeout = policy.timeoutMs;
      return next(request);
    },
  });
}

type ConnectorFactory = ReturnType<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>;

/** Bot Framework authentication whose connector clients are bounded, however the adapter asks for them. */
class BoundedAuthentication extends ConfigurationBotFrameworkAuthentication {
  constructor(
    credentials: ConfigurationServiceClientCredentialFactory,
    private readonly policy: TeamsConnectorPolicy,
    private readonly signIn?: SignIn,
  ) {
    super({}, credentials);
  }

  private bound(factory: ConnectorFactory): ConnectorFactory {
    const create = factory.create.bind(factory);
    factory.create = async (serviceUrl, audience) => {
      const client = await create(serviceUrl, audience);
      boundConnector(client, this.policy);
      return client;
    };
    return factory;
  }

  // Incoming activities get their connector from the authentication result; proactive sends from the factory.
  override async authenticateRequest(...args: Parameters<ConfigurationBotFrameworkAuthentication['authenticateRequest']>) {
    await this.signIn?.precheck(args[1]);
    const result = await super.authenticateRequest(...args);
    if (result.connectorFactory) this.bound(result.connectorFactory);
    return result;
  }

  override createConnectorFactory(identity: Parameters<ConfigurationBotFrameworkAuthentication['createConnectorFactory']>[0]) {
    return this.bound(super.createConnectorFactory(identity));
  }
}

/**
 * Bot Framework authentication for this bot, its Bot Connector calls bounded by `policy`: for the face's turns, and for
 * proactive messages (proactive.ts). Empty app id and password: local mode, no inbound or outbound auth (Agents
 * Playground, tests).
 */
export function teamsAuthentication(teams: TeamsOn, policy: TeamsConnectorPolicy, signIn?: SignIn): ConfigurationBotFrameworkAuthentication {
  const credentials = new ConfigurationServiceClientCredentialFactory(
    teams.auth === 'local'
      ? { MicrosoftAppId: '', MicrosoftAppPassword: '', MicrosoftAppType: 'MultiTenant' }
      : {
          MicrosoftAppId: teams.appId,
          MicrosoftAppPassword: teams.appPassword ?? '',
          MicrosoftAppType: teams.appType,
          ...(teams.tenantId ? { MicrosoftAppTenantId: teams.tenantId } : {}),
        },
  );
  return new BoundedAuthentication(credentials, policy, signIn);
}

/** What a turn relies on. Everything else in an activity passes through untouched. */
const account = z.looseObject({ id: z.string().optional(), name: z.string().optional() });
const activitySchema = z.looseObject({
  type: z.string().min(1),
  serviceUrl: z.string().regex(/^https?:\/\//i, { error: 'must be an http(s) URL' }),
  id: z.string().optional(),
  text: z.string().optional(),
  replyToId: z.string().optional(),
  conversation: z.looseObject({ id: z.string().min(1) }),
  from: account.optional(),
  recipient: account.optional(),
  membersAdded: z.array(account).optional(),
  entities: z.array(z.looseObject({ type: z.string().optional() })).optional(),
  channelData: z.looseObject({}).optional(),
});

function activityProblems(body: unknown): string[] {
  const parsed = activitySchema.safeParse(body);
  if (parsed.success) return [];
  return parsed.error.issues.slice(0, 5).map((i) => `${i.path.length ? i.path.join('.') : 'activity'}: ${i.message}`);
}

/** What the host's server calls for Teams. */
export interface TeamsFace {
  /** Handles one POST /api/messages. */
  handle(req: IncomingMessage, res: ServerResponse, requestId: string): Promise<void>;
  drain(): Promise<void>;
}

export function createTeamsFace(
  teams: TeamsOn,
  knowledge: Knowledge,
  logger: Logger,
  connector: Partial<TeamsConnectorPolicy> = {},
  store?: StoreService,
  knowledgeOwners: readonly string[] = [],
  salesLeads: readonly string[] = [],
  signIn: Partial<TeamsSignInPolicy> = {},
  /** What the operator configured about replies (EXPERT_HINT), and the verification state (read at each reply). */
  present: PresentOptions = {},
  /** *Ask an expert*: TEAMS_EXPERTS_CHANNEL, the Notifier, the store. */
  experts?: ExpertDesk,
  /** The stored verifications in memory (the host's): a Still correct updates them at once. */
  verifications?: Verifications,
): TeamsFace {
  const log = logger.child({ component: 'teams' });
  const policy: TeamsConnectorPolicy = { ...TEAMS_CONNECTOR, ...connector };
  const signInPolicy: TeamsSignInPolicy = { ...TEAMS_SIGN_IN, ...signIn };
  const bounded = teams.auth === 'bot-framework' ? boundSignIn(signInPolicy, log) : undefined;
  const adapter = new AdvisorAdapter(teamsAuthentication(teams, policy, bounded));
  const refs = new ConversationRefs(store, log);
  adapter.onTurnError = async (context, error) => {
    const a = context.activity;
    const status = (error as { statusCode?: number }).statusCode;
    const unreachable = status === undefined && (error.name === 'AbortError' || (error as { code?: string }).code !== undefined);
    // What the user submitted goes into the log too, so a form lost to a failing connector can be recreated.
    log.error(
      {
        activityId: a?.id,
        conversationId: a?.conversation?.id,
        type: a?.type,
        err: { message: error.message, name: error.name, ...(status ? { status } : {}) },
        ...(a?.value ? { value: a.value } : {}),
      },
      'Teams turn failed',
    );
    // An apology through a connector that does not answer would only wait out another timeout.
    if (unreachable) return;
    try {
      await context.sendActivity({ type: 'message', text: 'Sorry, something went wrong on my side. Please try again, or type **help**.' });
    } catch {
      // The connector itself is failing; the log line above is all we can do.
    }
  };
  const bot = new AdvisorBot(knowledge, log, policy, store, new Set(knowledgeOwners.map((id) => id.toLowerCase())), new Set(salesLeads.map((id) => id.toLowerCase())), present, experts, verifications);
  const inFlight = new Set<Promise<unknown>>();

  return {
    async handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.includes('application/json')) throw new HttpError(415, 'Bot Framework activities are JSON: send Content-Type: application/json.');
      if (refuseIfDeclaredTooLarge(req, res, TEAMS_LIMITS.maxRequestBytes)) return;
      if (inFlight.size >= policy.turnsInFlight) {
        log.warn({ requestId, inFlight: inFlight.size }, 'Teams request refused: too many turns in flight');
        noteRequest(req, { overload: true });
        sendJson(res, 503, { error: 'Too many Teams requests in progress; retry shortly.' }, { 'retry-after': '1', connection: 'close' });
        req.resume();
        return;
      }
      const body = parseJsonBody(await readBody(req, TEAMS_LIMITS.maxRequestBytes), TEAMS_LIMITS.maxJsonDepth);
      const problems = activityProblems(body);
      if (problems.length > 0) {
        log.warn({ requestId, problems }, 'Teams request refused: not a Bot Framework activity');
        throw new HttpError(400, `Not a Bot Framework activity: ${problems.join('; ')}.`);
      }
      const activity = body as z.infer<typeof activitySchema>;
      if (teams.auth === 'local' && !serviceUrlAllowed(activity.serviceUrl, teams.allowedServiceUrls)) {
        // Checked before any connection is made, so the refusal also tells nothing about the target.
        log.warn({ requestId, serviceUrl: activity.serviceUrl.slice(0, 200) }, 'Teams request refused: serviceUrl is not on this machine nor in TEAMS_ALLOWED_SERVICE_URLS');
        throw new HttpError(403, 'Local mode replies only to a serviceUrl on this machine (or in TEAMS_ALLOWED_SERVICE_URLS).');
      }
      const started = performance.now();
      // What the turn was about (the bot notes it in the turn state), for coexist_requests_total.
      const work = adapter.runActivity(String(req.headers.authorization ?? ''), body as Activity, (context) => {
        // Authenticated by now: where the bot can reach this person, tenant or channel later (proactive messages),
        // recorded fire and forget.
        refs.remember(context.activity);
        return bot.run(context).finally(() => noteRequest(req, requestNoteOf(context)));
      });
      inFlight.add(work);
      let status = 200;
      try {
        const invoke = await work;
        status = invoke?.status ?? 200;
        sendJson(res, status, invoke?.body ?? {});
      } catch (err) {
        const e = err as { statusCode?: number; name?: string; message?: string };
        if (err instanceof SignInUnavailable) {
          // Logged once per outage by sign-in.ts; here only at debug.
          status = 503;
          log.debug({ requestId }, 'Teams request refused: Bot Framework sign-in metadata unreachable');
          sendJson(res, 503, { error: 'Cannot check the Bot Framework token right now; retry shortly.' }, { 'retry-after': String(Math.max(1, Math.ceil(signInPolicy.retryAfterFailureMs / 1000))) });
          return;
        }
        // jsonwebtoken's own errors (a token the SDK could not verify) are refusals too, not server errors.
        status = e.statusCode === 401 || e.name === 'AuthenticationError' || e.name === 'JsonWebTokenError' || e.name === 'TokenExpiredError' || e.name === 'NotBeforeError' ? 401 : 500;
        if (status === 401) log.warn({ requestId, reason: e.message }, 'Teams request refused: not authenticated by Bot Framework');
        else log.error({ requestId, err: { message: e.message, name: e.name } }, 'Teams request failed');
        sendJson(res, status, { error: status === 401 ? 'Unauthorized: a valid Bot Framework token is required.' : 'Internal error; it has been logged.' });
      } finally {
        inFlight.delete(work);
        log.info(
          { requestId, kind: 'activity', type: activity.type, activityId: activity.id, conversationId: activity.conversation.id, status, ms: Math.round(performance.now() - started) },
          `activity ${activity.type}`,
        );
      }
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
