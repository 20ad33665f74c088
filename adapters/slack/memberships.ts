import type { webApi } from '@slack/bolt';
import type { Logger } from 'pino';
import { SLACK_MEMBERSHIPS } from './limits.ts';

// Which public and private channels a Slack user is in, asked of Slack (users.conversations with `user=`; scopes
// channels:read and groups:read), so the history can show what was made in them (src/present/scope.ts). Private
// channels are listed only where the app is a member too, which it is wherever it posted a recommendation. Read
// page by page within a deadline, kept for a minute per user and workspace; when Slack does not answer in time (or
// refuses), undefined: the caller shows the user's own entries only and says so.

type Client = Pick<webApi.WebClient, 'users'>;

export class ChannelMemberships {
  private readonly cache = new Map<string, { channels: string[]; until: number }>();
  private loggedAt = 0;

  constructor(
    private readonly log: Logger,
    private readonly policy: typeof SLACK_MEMBERSHIPS = SLACK_MEMBERSHIPS,
  ) {}

  /** The channels `user` is in, in `team`; undefined when Slack could not say within the deadline. */
  async of(client: Client, team: string, user: string): Promise<string[] | undefined> {
    const key = `${team}:${user}`;
    const now = Date.now();
    const cached = this.cache.get(key);
    if (cached && cached.until > now) return cached.channels;
    this.cache.delete(key);
    let timer: NodeJS.Timeout | undefined;
    const deadline = new Promise<'late'>((resolve) => {
      timer = setTimeout(() => resolve('late'), this.policy.deadlineMs);
      timer.unref();
    });
    try {
      const channels = await Promise.race([this.read(client, user), deadline]);
      if (channels === 'late') throw new Error(`users.conversations took longer than ${this.policy.deadlineMs} ms`);
      this.cache.set(key, { channels, until: Date.now() + this.policy.cacheMs });
      if (this.cache.size > this.policy.cacheEntries) this.cache.delete(this.cache.keys().next().value!);
      return channels;
    } catch (err) {
      this.failed(err);
      return undefined;
    } finally {
      clearTimeout(timer);
    }
  }

  private async read(client: Client, user: string): Promise<string[]> {
    const channels: string[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < this.policy.maxPages; page++) {
      const res = await client.users.conversations({ user, types: 'public_channel,private_channel', exclude_archived: false, limit: this.policy.pageSize, ...(cursor ? { cursor } : {}) });
      for (const c of res.channels ?? []) if (typeof c.id === 'string') channels.push(c.id);
      cursor = res.response_metadata?.next_cursor || undefined;
      if (!cursor) break;
    }
    return channels;
  }

  /** Logged at most once a minute: a missing scope or an outage would otherwise log on every history. */
  private failed(err: unknown): void {
    const now = Date.now();
    if (now - this.loggedAt < 60_000) return;
    this.loggedAt = now;
    const e = err as { data?: { error?: string }; code?: string; message?: string };
    this.log.warn({ error: e?.data?.error ?? e?.code ?? e?.message ?? 'unknown_error' }, 'users.conversations failed: history shows each user their own recommendations only (logged at most once a minute)');
  }
}
