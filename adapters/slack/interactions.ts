import type { Logger } from 'pino';
import { parseCommand } from '../../src/index.ts';
import type { RequestNote } from '../http.ts';
import { COMMAND_REQUEST_KIND, type RequestKind } from '../request-kind.ts';
import { ACTIONS, CALLBACKS } from './blocks/common.ts';

// One log line per Slack interaction (request id, what it was, who, outcome, duration including follow-up work),
// and the set of interactions still running, so a shutdown can wait for them. Listeners wrap their work in `run`.

type Body = Record<string, any>;

/**
 * What a listener reports when its work finished but not as asked (e.g. a post that reached Slack only as text,
 * or only by DM): the interaction's log line then carries this outcome at this level instead of `ok`.
 */
export interface InteractionOutcome {
  outcome: string;
  level: 'warn' | 'error';
  error?: string;
}

type Work = () => Promise<void | InteractionOutcome | undefined>;

/** One short name for what a Slack request is about, for logs: never its free text. */
export function describeInteraction(body: Body): { kind: string; name: string } {
  if (body.command) return { kind: 'command', name: `${body.command} ${/^\s*(\S*)/.exec(String(body.text ?? ''))![1] || 'help'}` };
  if (body.type === 'block_actions') return { kind: 'action', name: String(body.actions?.[0]?.action_id ?? 'unknown').split(':')[0]! };
  if (body.type === 'view_submission') return { kind: 'view_submission', name: String(body.view?.callback_id ?? 'unknown') };
  if (body.type === 'shortcut' || body.type === 'message_action') return { kind: 'shortcut', name: String(body.callback_id ?? 'unknown') };
  if (body.event) return { kind: 'event', name: String(body.event.type ?? 'unknown') };
  return { kind: 'other', name: String(body.type ?? 'unknown') };
}

/** What a button asks for, by its action id, for coexist_requests_total. */
const ACTION_REQUEST_KIND: Record<string, RequestKind> = {
  [ACTIONS.share]: 'share',
  [ACTIONS.details]: 'question',
  [ACTIONS.topic]: 'question',
  [ACTIONS.compare]: 'compare',
  [ACTIONS.recommend]: 'form',
  [ACTIONS.edit]: 'form',
  [ACTIONS.feedback]: 'feedback',
  [ACTIONS.correct]: 'feedback',
  [ACTIONS.openRecommendation]: 'history',
  [ACTIONS.editRecommendation]: 'form',
  [ACTIONS.review]: 'report',
  [ACTIONS.trainingLines]: 'report',
  [ACTIONS.openUpdated]: 'recommendation',
  [ACTIONS.askExpert]: 'expert',
  [ACTIONS.savePhrasing]: 'expert',
  [ACTIONS.newTopic]: 'expert',
  [ACTIONS.verify]: 'verify',
  [ACTIONS.needsChange]: 'verify',
};

/** What a Slack request asks for (the kinds of coexist_requests_total), from its body; read before the reply is drawn. */
export function requestKind(body: Body): RequestKind {
  const typed = (text: unknown) => COMMAND_REQUEST_KIND[parseCommand(String(text ?? '').replace(/^\s*<@[A-Za-z0-9]+>/, '')).kind];
  if (body.command) return typed(body.text);
  if (body.type === 'block_actions') {
    const id = String(body.actions?.[0]?.action_id ?? '').split(':')[0]!;
    return Object.hasOwn(ACTION_REQUEST_KIND, id) ? ACTION_REQUEST_KIND[id]! : 'other';
  }
  if (body.type === 'view_submission') return 'recommendation';
  if (body.type === 'shortcut') return body.callback_id === CALLBACKS.shortcut ? 'form' : 'other';
  if (body.type === 'message_action') return body.callback_id === CALLBACKS.askShortcut ? 'question' : 'other';
  const event = body.event as Body | undefined;
  if (event?.type === 'message' || event?.type === 'app_mention') return typed(event.text);
  if (event?.type === 'function_executed') return 'recommendation';
  return 'other';
}

export class Interactions {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  run(args: { body: unknown; context: Record<string, any> }, work: Work): Promise<void> {
    // Tracked until its log line is written, so drain() means "finished and logged". Registered synchronously
    // when Bolt calls the listener: before the listener acks (or, for events, which Bolt acks itself, in the same
    // turn as the ack, before any I/O), so the work is in flight by the time the HTTP answer can be read.
    (args.context.noteRequest as ((note: RequestNote) => void) | undefined)?.({ kind: requestKind(args.body as Body) });
    const tracked = this.track(args, work);
    this.inFlight.add(tracked);
    const done = () => this.inFlight.delete(tracked);
    void tracked.then(done, done);
    return tracked;
  }

  private async track(args: { body: unknown; context: Record<string, any> }, work: Work): Promise<void> {
    const started = performance.now();
    let result: void | InteractionOutcome | undefined;
    try {
      result = await work();
    } catch (err) {
      this.write('error', args, started, 'error', err);
      throw err;
    }
    if (result) this.write(result.level, args, started, result.outcome, undefined, result.error);
    else if (this.log.isLevelEnabled('info')) this.write('info', args, started, 'ok');
  }

  /** Resolves when every interaction in progress has finished and been logged. */
  async drain(): Promise<void> {
    while (this.inFlight.size > 0) await Promise.allSettled([...this.inFlight]);
  }

  private write(level: 'info' | 'warn' | 'error', args: { body: unknown; context: Record<string, any> }, started: number, outcome: string, err?: unknown, error?: string): void {
    const body = args.body as Body;
    const what = describeInteraction(body);
    const { context } = args;
    this.log[level](
      {
        requestId: context.requestId,
        ...what,
        user: body.user?.id ?? body.user_id ?? body.event?.user,
        team: context.teamId,
        ...(context.retryNum ? { retryNum: context.retryNum, retryReason: context.retryReason } : {}),
        outcome,
        ...(error ? { error } : {}),
        ...(err ? { err } : {}),
        ms: Math.round(performance.now() - started),
      },
      `${what.kind} ${what.name}${err ? ' failed' : level === 'info' ? '' : ` (${outcome})`}`,
    );
  }
}
