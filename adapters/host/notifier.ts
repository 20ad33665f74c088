import type { Logger } from 'pino';
import type { Reply } from '../../src/index.ts';
import { NO_NOTIFIER, type Destination, type Notifier, type NotifyPlatform, type Sent } from '../notify.ts';

// The product's Notifier: each destination goes to its platform's implementation (adapters/slack/notify.ts,
// adapters/teams/proactive.ts), loaded on first use. A platform that is off answers ok:false in words.
// - Slack: on when configured; it sends once Slack has answered auth.test (before: ok:false, retryable).
// - Teams: on whenever Teams is on, local mode included. In local mode (no Bot Framework auth, Agents Playground,
//   tests) it sends only to a serviceUrl on this machine or in TEAMS_ALLOWED_SERVICE_URLS, the rule incoming
//   activities follow: a local-mode bot reaches only the Playground (or fake connector) that talked to it.
// - Neither on: NO_NOTIFIER.

export interface PlatformSender {
  send(to: Destination, reply: Reply): Promise<Sent>;
}

export interface NotifierParts {
  slack?: { sender: () => Promise<PlatformSender>; connected: () => boolean };
  teams?: { sender: () => Promise<PlatformSender> };
  logger: Logger;
}

const NAMES: Record<NotifyPlatform, string> = { slack: 'Slack', teams: 'Teams' };

export function productNotifier(parts: NotifierParts): Notifier {
  if (!parts.slack && !parts.teams) return NO_NOTIFIER;
  const senders = new Map<NotifyPlatform, Promise<PlatformSender>>();
  const sender = (platform: NotifyPlatform): Promise<PlatformSender> | undefined => {
    const part = parts[platform];
    if (!part) return undefined;
    let s = senders.get(platform);
    if (!s) {
      s = part.sender();
      s.catch(() => senders.delete(platform));
      senders.set(platform, s);
    }
    return s;
  };
  return {
    platforms() {
      const on = new Set<NotifyPlatform>();
      if (parts.slack?.connected()) on.add('slack');
      if (parts.teams) on.add('teams');
      return on;
    },
    async send(to, reply) {
      const s = sender(to.platform);
      if (!s) return { ok: false, error: `${NAMES[to.platform]} is not configured on this deployment`, retryable: false };
      try {
        return await (await s).send(to, reply);
      } catch (err) {
        // The implementations never throw; a failure to load one (or a bug) is still an answer, not an exception.
        const error = `could not send the ${NAMES[to.platform]} message: ${(err as Error)?.message ?? String(err)}`;
        parts.logger.error({ platform: to.platform, to: to.kind, error }, error);
        return { ok: false, error, retryable: false };
      }
    },
  };
}
