import { App, HTTPReceiver, type AnyMiddlewareArgs } from '@slack/bolt';
import type { Logger } from 'pino';
import type { Knowledge } from '../../src/index.ts';
import type { Config } from '../host/config.ts';
import { boltLogger } from './bolt-logger.ts';
import { registerActions } from './listeners/actions.ts';
import { registerCommands } from './listeners/commands.ts';
import { registerEvents } from './listeners/events.ts';
import { registerViews } from './listeners/views.ts';

// The Slack face: a Bolt App whose listeners are registered by kind (listeners/*). Over HTTP the host process
// owns the server and hands POST /slack/events to the receiver's request listener; in Socket Mode Bolt holds a
// WebSocket to Slack instead.

export const SLACK_BODY_LIMIT = 1024 * 1024;

export interface SlackFace {
  app: App;
  /** Node request listener for POST /slack/events (HTTP mode only). */
  requestListener?: HTTPReceiver['requestListener'];
  start(): Promise<void>;
  stop(): Promise<void>;
  /** Resolves when every interaction in progress has finished (for graceful shutdown). */
  drain(): Promise<void>;
}

/** One short name for what a Slack request is about, for logs: never its free text. */
function describe(body: Record<string, any>): { kind: string; name: string } {
  if (body.command) return { kind: 'command', name: `${body.command} ${String(body.text ?? '').trim().split(/\s+/)[0] || 'help'}` };
  if (body.type === 'block_actions') return { kind: 'action', name: String(body.actions?.[0]?.action_id ?? 'unknown').split(':')[0]! };
  if (body.type === 'view_submission') return { kind: 'view_submission', name: String(body.view?.callback_id ?? 'unknown') };
  if (body.type === 'shortcut' || body.type === 'message_action') return { kind: 'shortcut', name: String(body.callback_id ?? 'unknown') };
  if (body.event) return { kind: 'event', name: String(body.event.type ?? 'unknown') };
  return { kind: 'other', name: String(body.type ?? 'unknown') };
}

export function createSlackFace(config: Extract<Config['slack'], { mode: 'http' | 'socket' }>, knowledge: Knowledge, logger: Logger): SlackFace {
  const log = logger.child({ component: 'slack' });
  const clientOptions = config.apiUrl ? { slackApiUrl: config.apiUrl } : {};
  let receiver: HTTPReceiver | undefined;
  let app: App;
  if (config.mode === 'http') {
    receiver = new HTTPReceiver({
      signingSecret: config.signingSecret,
      endpoints: '/slack/events',
      logger: boltLogger(logger),
      bodyLimit: SLACK_BODY_LIMIT,
      customPropertiesExtractor: (req) => ({ requestId: req.headers['x-request-id'] }),
    });
    app = new App({ token: config.botToken, receiver, logger: boltLogger(logger), clientOptions, deferInitialization: true });
  } else {
    app = new App({
      token: config.botToken,
      appToken: config.appToken,
      socketMode: true,
      logger: boltLogger(logger),
      clientOptions,
      deferInitialization: true,
    });
  }

  // One log line per interaction: request id, what it was, who, outcome, duration (including follow-up work).
  const inFlight = new Set<Promise<unknown>>();
  app.use(async (args: AnyMiddlewareArgs & { next: () => Promise<void>; context: Record<string, any> }) => {
    const started = performance.now();
    const what = describe(args.body as Record<string, any>);
    const fields = {
      requestId: args.context.requestId,
      ...what,
      user: (args.body as any).user?.id ?? (args.body as any).user_id ?? (args.body as any).event?.user,
      team: args.context.teamId,
      ...(args.context.retryNum ? { retryNum: args.context.retryNum, retryReason: args.context.retryReason } : {}),
    };
    const work = args.next();
    inFlight.add(work);
    try {
      await work;
      log.info({ ...fields, outcome: 'ok', ms: Math.round(performance.now() - started) }, `${what.kind} ${what.name}`);
    } catch (err) {
      log.error({ ...fields, outcome: 'error', err, ms: Math.round(performance.now() - started) }, `${what.kind} ${what.name} failed`);
      throw err;
    } finally {
      inFlight.delete(work);
    }
  });

  const deps = { knowledge, logger: log };
  registerCommands(app, deps);
  registerActions(app, deps);
  registerViews(app, deps);
  registerEvents(app, deps);
  app.error(async (err) => {
    log.error({ err: { message: err.message, code: (err as { code?: string }).code } }, 'unhandled Slack listener error');
  });

  return {
    app,
    ...(receiver ? { requestListener: receiver.requestListener } : {}),
    async start() {
      // init() calls auth.test (at SLACK_API_URL when set): a bad token stops the start with a clear message.
      await app.init();
      if (config.mode === 'socket') await app.start();
    },
    async stop() {
      if (config.mode === 'socket') await app.stop();
    },
    async drain() {
      await Promise.allSettled([...inFlight]);
    },
  };
}
