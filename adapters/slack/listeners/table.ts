import type {
  AllMiddlewareArgs,
  AnyMiddlewareArgs,
  BlockAction,
  ButtonAction,
  GlobalShortcut,
  MessageShortcut,
  Middleware,
  SlackActionMiddlewareArgs,
  SlackCommandMiddlewareArgs,
  SlackEventMiddlewareArgs,
  SlackShortcutMiddlewareArgs,
  SlackViewMiddlewareArgs,
  ViewSubmitAction,
} from '@slack/bolt';

// Every listener of the app in one table, served by ONE Bolt middleware. Bolt runs each registered listener's
// matchers on every request (a chain of promises per listener): with five listeners that cost about as much CPU
// as the rest of a slash command (measured with bench/servers.ts slack-face: 36 µs of 165 per request). The table
// looks the request up by its kind and name instead. Listener files register here with the same words as Bolt's
// App (command, action, view, shortcut, event) and get the same typed arguments Bolt gives a listener.

type With<T> = T & AllMiddlewareArgs;
export type CommandArgs = With<SlackCommandMiddlewareArgs>;
export type ButtonArgs = With<SlackActionMiddlewareArgs<BlockAction<ButtonAction>>>;
export type ViewArgs = With<SlackViewMiddlewareArgs<ViewSubmitAction>>;
export type ShortcutArgs = With<SlackShortcutMiddlewareArgs<GlobalShortcut>>;
export type MessageShortcutArgs = With<SlackShortcutMiddlewareArgs<MessageShortcut>>;
export type EventArgs = With<SlackEventMiddlewareArgs<'app_home_opened'>> | With<SlackEventMiddlewareArgs<'message'>>;
export type MentionArgs = With<SlackEventMiddlewareArgs<'app_mention'>>;
/** A Workflow Builder step run (function_executed): `inputs`, `complete`, `fail`, and `ack`, which is ours to call. */
export type FunctionArgs = With<SlackEventMiddlewareArgs<'function_executed'>> & { ack: () => Promise<void> };

type Handler<A> = (args: A) => Promise<void>;

export class ListenerTable {
  private readonly commands = new Map<string, Handler<CommandArgs>>();
  private readonly views = new Map<string, Handler<ViewArgs>>();
  private readonly shortcuts = new Map<string, Handler<ShortcutArgs>>();
  private readonly messageShortcuts = new Map<string, Handler<MessageShortcutArgs>>();
  private readonly events = new Map<string, Handler<EventArgs>>();
  private mention?: Handler<MentionArgs>;
  private readonly functions = new Map<string, Handler<FunctionArgs>>();
  private buttons?: Handler<ButtonArgs>;

  command(name: string, handler: Handler<CommandArgs>): void {
    this.commands.set(name, handler);
  }

  /**
   * Every block action, whatever its action_id: the handler routes by id, and answers one it does not know itself
   * (left unanswered, Bolt would reply 404 after its 3 s wait).
   */
  action(handler: Handler<ButtonArgs>): void {
    this.buttons = handler;
  }

  /** A modal's submission, by callback_id. */
  view(callbackId: string, handler: Handler<ViewArgs>): void {
    this.views.set(callbackId, handler);
  }

  /** A global shortcut, by callback_id. */
  shortcut(callbackId: string, handler: Handler<ShortcutArgs>): void {
    this.shortcuts.set(callbackId, handler);
  }

  /** A message shortcut (message_action), by callback_id. */
  messageShortcut(callbackId: string, handler: Handler<MessageShortcutArgs>): void {
    this.messageShortcuts.set(callbackId, handler);
  }

  event(types: readonly ('app_home_opened' | 'message')[], handler: Handler<EventArgs>): void {
    for (const t of types) this.events.set(t, handler);
  }

  /** `@app` in a channel (app_mention events). */
  appMention(handler: Handler<MentionArgs>): void {
    this.mention = handler;
  }

  /**
   * A custom step for Workflow Builder, by its callback_id (what Bolt's `app.function` matches). Bolt leaves the ack
   * of function_executed events to the listener: the handler acks.
   */
  function(callbackId: string, handler: Handler<FunctionArgs>): void {
    this.functions.set(callbackId, handler);
  }

  /**
   * The one global middleware. Bolt builds the same arguments for middleware as for listeners (ack, respond, say,
   * client, the payload under its kind's name), so each handler gets what its listener type promises; the casts
   * below follow the check of the body's kind that Bolt's own listener matchers would make.
   */
  middleware(): Middleware<AnyMiddlewareArgs> {
    return async (args) => {
      const body = args.body as Record<string, any>;
      let run: (() => Promise<void>) | undefined;
      if (typeof body.command === 'string') {
        const h = this.commands.get(body.command);
        if (h) run = () => h(args as unknown as CommandArgs);
      } else if (body.type === 'block_actions') {
        const b = this.buttons;
        if (b) run = () => b(args as unknown as ButtonArgs);
      } else if (body.type === 'view_submission') {
        const h = this.views.get(body.view?.callback_id);
        if (h) run = () => h(args as unknown as ViewArgs);
      } else if (body.type === 'shortcut') {
        const h = this.shortcuts.get(body.callback_id);
        if (h) run = () => h(args as unknown as ShortcutArgs);
      } else if (body.type === 'message_action') {
        const h = this.messageShortcuts.get(body.callback_id);
        if (h) run = () => h(args as unknown as MessageShortcutArgs);
      } else if (body.type === 'event_callback') {
        const m = this.mention;
        const h = this.events.get(body.event?.type);
        if (body.event?.type === 'app_mention') {
          if (m) run = () => m(args as unknown as MentionArgs);
        } else if (body.event?.type === 'function_executed') {
          const f = this.functions.get(body.event.function?.callback_id);
          if (f) run = () => f(args as unknown as FunctionArgs);
        } else if (h) run = () => h(args as unknown as EventArgs);
      }
      if (run) await run();
      else await args.next();
    };
  }
}
