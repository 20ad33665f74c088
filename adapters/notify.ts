import type { Reply } from '../src/index.ts';

// Messages the product sends on its own, outside any request: a verifier's reminder, the owners' weekly report, a
// question for the experts' channel and the expert's answer relayed to the asker, a note in a posted recommendation's
// thread, a source that changed. Every feature sends through this one interface; each platform implements it once
// (Slack: chat.postMessage to a user id or a channel, with thread_ts; Teams: a proactive message through the Bot
// Connector, to a person's personal chat or to a channel, replying in a thread). The feature decides what to say (a
// core Reply); the platform only draws and delivers it.

export type NotifyPlatform = 'slack' | 'teams';

/** Where a message goes. */
export type Destination =
  /** A private message to a person (Slack user id U…/W…; Teams AAD object id). */
  | { kind: 'person'; platform: NotifyPlatform; userId: string; workspace?: string | null }
  /**
   * A channel (Slack channel id; Teams channel conversation id 19:…@thread.tacv2 or a chat's conversation id), or a
   * thread in it: `thread` is the parent message's Slack ts or Teams activity id.
   */
  | { kind: 'channel'; platform: NotifyPlatform; channelId: string; thread?: string | null; workspace?: string | null };

export type Sent =
  /** `ref`: the posted message (Slack ts, Teams activity id); `channelId`: where it landed (a DM's channel id). */
  | { ok: true; ref: string; channelId: string; link?: string }
  /**
   * Not delivered. `error` names the fault in words an operator can act on ("no Teams conversation with this person
   * yet: they must open a chat with the bot once"); `retryable` says whether trying later may work.
   */
  | { ok: false; error: string; retryable: boolean };

export interface Notifier {
  /** The platforms that can send now (configured and connected). */
  platforms(): ReadonlySet<NotifyPlatform>;
  /** Never throws: a failure is a `Sent` with `ok: false` (and is logged by the implementation). */
  send(to: Destination, reply: Reply): Promise<Sent>;
}

/** A Notifier that sends nowhere: local mode, the CLI. */
export const NO_NOTIFIER: Notifier = {
  platforms: () => new Set(),
  send: async () => ({ ok: false, error: 'no platform is configured to send messages', retryable: false }),
};
