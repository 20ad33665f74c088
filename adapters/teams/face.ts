import type { IncomingMessage, ServerResponse } from 'node:http';
import { CloudAdapter, ConfigurationBotFrameworkAuthentication, ConfigurationServiceClientCredentialFactory, type Activity } from 'botbuilder';
import type { Logger } from 'pino';
import type { Knowledge } from '../../src/index.ts';
import type { Config } from '../host/config.ts';
import { HttpError, parseJsonBody, readBody, refuseIfDeclaredTooLarge, sendJson } from '../host/http.ts';
import type { TeamsFace } from '../host/server.ts';
import { AdvisorBot } from './bot.ts';
import { TEAMS_LIMITS } from './limits.ts';

// The Teams face: POST /api/messages → Bot Framework CloudAdapter → AdvisorBot. The host reads and checks the
// body; CloudAdapter.processActivity authenticates it and runs the turn; we answer and log (CloudAdapter.process
// would print its errors to the console instead of our log).

/** CloudAdapter with its turn runner reachable: we parse, answer and log the HTTP side ourselves. */
class AdvisorAdapter extends CloudAdapter {
  runActivity(authorization: string, activity: Activity, logic: Parameters<CloudAdapter['processActivityDirect']>[2]) {
    return this.processActivity(authorization, activity, logic);
  }
}

export function createTeamsFace(config: Config, knowledge: Knowledge, logger: Logger): TeamsFace {
  const log = logger.child({ component: 'teams' });
  const teams = config.teams;
  // Empty app id and password: local mode, no inbound or outbound auth (Agents Playground, tests).
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
  const adapter = new AdvisorAdapter(new ConfigurationBotFrameworkAuthentication({}, credentials));
  adapter.onTurnError = async (context, error) => {
    const a = context.activity;
    // What the user submitted goes into the log too, so a form lost to a failing connector can be recreated.
    log.error(
      { activityId: a?.id, conversationId: a?.conversation?.id, type: a?.type, err: { message: error.message, name: error.name }, ...(a?.value ? { value: a.value } : {}) },
      'Teams turn failed',
    );
    try {
      await context.sendActivity({ type: 'message', text: 'Sorry, something went wrong on my side. Please try again, or type **help**.' });
    } catch {
      // The connector itself is failing; the log line above is all we can do.
    }
  };
  const bot = new AdvisorBot(knowledge, log);
  const inFlight = new Set<Promise<unknown>>();

  return {
    async handle(req: IncomingMessage, res: ServerResponse, requestId: string) {
      const type = String(req.headers['content-type'] ?? '');
      if (!type.includes('application/json')) throw new HttpError(415, 'Bot Framework activities are JSON: send Content-Type: application/json.');
      if (refuseIfDeclaredTooLarge(req, res, TEAMS_LIMITS.maxRequestBytes)) return;
      const body = parseJsonBody(await readBody(req, TEAMS_LIMITS.maxRequestBytes), TEAMS_LIMITS.maxJsonDepth);
      if (typeof body !== 'object' || body === null || Array.isArray(body) || typeof (body as { type?: unknown }).type !== 'string') {
        throw new HttpError(400, 'Not a Bot Framework activity: expected a JSON object with a string "type".');
      }
      const activity = body as { type: string; id?: string; conversation?: { id?: string }; serviceUrl?: unknown };
      if (typeof activity.serviceUrl !== 'string' || !/^https?:\/\//.test(activity.serviceUrl)) {
        throw new HttpError(400, 'Not a Bot Framework activity: "serviceUrl" must be an http(s) URL.');
      }
      const started = performance.now();
      const work = adapter.runActivity(String(req.headers.authorization ?? ''), body as Activity, (context) => bot.run(context));
      inFlight.add(work);
      let status = 200;
      try {
        const invoke = await work;
        status = invoke?.status ?? 200;
        sendJson(res, status, invoke?.body ?? {});
      } catch (err) {
        const e = err as { statusCode?: number; name?: string; message?: string };
        status = e.statusCode === 401 || e.name === 'AuthenticationError' ? 401 : 500;
        if (status === 401) log.warn({ requestId, reason: e.message }, 'Teams request refused: not authenticated by Bot Framework');
        else log.error({ requestId, err: { message: e.message, name: e.name } }, 'Teams request failed');
        sendJson(res, status, { error: status === 401 ? 'Unauthorized: a valid Bot Framework token is required.' : 'Internal error; it has been logged.' });
      } finally {
        inFlight.delete(work);
        log.info(
          { requestId, kind: 'activity', type: activity.type, activityId: activity.id, conversationId: activity.conversation?.id, status, ms: Math.round(performance.now() - started) },
          `activity ${activity.type}`,
        );
      }
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
