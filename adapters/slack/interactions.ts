import type { Logger } from 'pino';

// One log line per Slack interaction (request id, what it was, who, outcome, duration including follow-up work),
// and the set of interactions still running, so a shutdown can wait for them. Listeners wrap their work in
// `run` rather than the app adding a global middleware: Bolt runs global middleware on every request, and the
// slash-command path is benchmarked against an empty Bolt app.

type Body = Record<string, any>;

/** One short name for what a Slack request is about, for logs: never its free text. */
export function describeInteraction(body: Body): { kind: string; name: string } {
  if (body.command) return { kind: 'command', name: `${body.command} ${String(body.text ?? '').trim().split(/\s+/)[0] || 'help'}` };
  if (body.type === 'block_actions') return { kind: 'action', name: String(body.actions?.[0]?.action_id ?? 'unknown').split(':')[0]! };
  if (body.type === 'view_submission') return { kind: 'view_submission', name: String(body.view?.callback_id ?? 'unknown') };
  if (body.type === 'shortcut' || body.type === 'message_action') return { kind: 'shortcut', name: String(body.callback_id ?? 'unknown') };
  if (body.event) return { kind: 'event', name: String(body.event.type ?? 'unknown') };
  return { kind: 'other', name: String(body.type ?? 'unknown') };
}

export class Interactions {
  private readonly inFlight = new Set<Promise<unknown>>();

  constructor(private readonly log: Logger) {}

  async run(args: { body: unknown; context: Record<string, any> }, work: () => Promise<void>): Promise<void> {
    const started = performance.now();
    const promise = work();
    this.inFlight.add(promise);
    try {
      await promise;
      if (this.log.isLevelEnabled('info')) this.write('info', args, started, 'ok');
    } catch (err) {
      this.write('error', args, started, 'error', err);
      throw err;
    } finally {
      this.inFlight.delete(promise);
    }
  }

  async drain(): Promise<void> {
    await Promise.allSettled([...this.inFlight]);
  }

  private write(level: 'info' | 'error', args: { body: unknown; context: Record<string, any> }, started: number, outcome: string, err?: unknown): void {
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
        ...(err ? { err } : {}),
        ms: Math.round(performance.now() - started),
      },
      `${what.kind} ${what.name}${err ? ' failed' : ''}`,
    );
  }
}
