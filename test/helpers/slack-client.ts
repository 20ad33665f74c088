import { createHmac } from 'node:crypto';

// Sends requests to our /slack/events exactly as Slack does: form-encoded or JSON, signed with the signing secret.

export interface SlackReply {
  status: number;
  headers: Headers;
  body: string;
  json(): any;
}

export function sign(secret: string, body: string, timestamp = Math.floor(Date.now() / 1000)): Record<string, string> {
  const signature = `v0=${createHmac('sha256', secret).update(`v0:${timestamp}:${body}`).digest('hex')}`;
  return { 'x-slack-request-timestamp': String(timestamp), 'x-slack-signature': signature };
}

export class SlackClient {
  private views = 0;

  constructor(
    readonly url: string,
    readonly secret: string,
    readonly fakeUrl: string,
  ) {}

  /** Posts a signed body; a request the server never answers fails after `timeoutMs` instead of hanging the test. */
  async post(body: string, contentType: string, headers: Record<string, string> = {}, timeoutMs = 5000): Promise<SlackReply> {
    const res = await fetch(`${this.url}/slack/events`, {
      method: 'POST',
      headers: { 'content-type': contentType, ...sign(this.secret, body), ...headers },
      body,
      signal: AbortSignal.timeout(timeoutMs),
    });
    const text = await res.text();
    return { status: res.status, headers: res.headers, body: text, json: () => JSON.parse(text) };
  }

  /** A slash command as the user typed it. */
  command(text: string, extra: Record<string, string> = {}): Promise<SlackReply> {
    const form = new URLSearchParams({
      token: 'legacy',
      team_id: 'T1',
      team_domain: 'test',
      channel_id: 'C_DEALS',
      channel_name: 'deals',
      user_id: 'U_AGENT',
      user_name: 'agent',
      command: '/coexist-vs-api',
      text,
      api_app_id: 'A1',
      response_url: `${this.fakeUrl}/response/cmd`,
      trigger_id: 'trigger-123',
      ...extra,
    });
    return this.post(form.toString(), 'application/x-www-form-urlencoded');
  }

  /** An interactivity payload (block_actions, view_submission, shortcut). */
  interaction(payload: Record<string, unknown>, headers: Record<string, string> = {}): Promise<SlackReply> {
    const form = new URLSearchParams({ payload: JSON.stringify(payload) });
    return this.post(form.toString(), 'application/x-www-form-urlencoded', headers);
  }

  /** A button click on a message (ephemeral or in channel). */
  click(action: { action_id: string; value?: string; block_id?: string }, message?: { blocks: unknown[]; ts?: string }, channel = 'C_DEALS'): Promise<SlackReply> {
    return this.interaction({
      type: 'block_actions',
      team: { id: 'T1', domain: 'test' },
      user: { id: 'U_AGENT', username: 'agent', team_id: 'T1' },
      api_app_id: 'A1',
      token: 'legacy',
      trigger_id: 'trigger-456',
      container: message ? { type: 'message', message_ts: message.ts ?? '1.1', channel_id: channel, is_ephemeral: !message.ts } : { type: 'message', channel_id: channel, is_ephemeral: true },
      channel: { id: channel, name: 'deals' },
      ...(message ? { message: { type: 'message', ts: message.ts ?? '1.1', blocks: message.blocks, text: '' } } : {}),
      response_url: `${this.fakeUrl}/response/action`,
      actions: [{ type: 'button', block_id: action.block_id ?? 'b', action_id: action.action_id, text: { type: 'plain_text', text: 'x' }, ...(action.value !== undefined ? { value: action.value } : {}), action_ts: '1.2' }],
    });
  }

  /** Submitting the modal with the given view (as opened) and state values. */
  submit(view: Record<string, any>, values: Record<string, unknown>, headers: Record<string, string> = {}): Promise<SlackReply> {
    return this.interaction(
      {
        type: 'view_submission',
        team: { id: 'T1', domain: 'test' },
        user: { id: 'U_AGENT', username: 'agent', team_id: 'T1' },
        api_app_id: 'A1',
        token: 'legacy',
        trigger_id: 'trigger-789',
        view: { id: view.id ?? `V${++this.views}`, team_id: 'T1', type: 'modal', callback_id: view.callback_id, private_metadata: view.private_metadata ?? '', blocks: view.blocks, state: { values }, hash: 'h' },
      },
      headers,
    );
  }

  /** An Events API delivery of `event`; a random event_id unless given (a redelivery repeats its id). */
  eventBody(event: Record<string, unknown>, eventId = `Ev${Math.random().toString(36).slice(2)}`): string {
    return JSON.stringify({ token: 'legacy', team_id: 'T1', api_app_id: 'A1', type: 'event_callback', event_id: eventId, event_time: 1, event });
  }

  event(event: Record<string, unknown>): Promise<SlackReply> {
    return this.post(this.eventBody(event), 'application/json');
  }

  /** Delivers `body` again as Slack retries it (X-Slack-Retry-Num), to this app or another replica. */
  redeliver(body: string, attempt = 1): Promise<SlackReply> {
    return this.post(body, 'application/json', { 'x-slack-retry-num': String(attempt), 'x-slack-retry-reason': 'http_timeout' });
  }
}

/** Every button of a message's (or view's) actions blocks, in order: what a person can click. */
export type DrawnButton = Record<string, any> & { action_id: string };
export const buttonsOf = (blocks: readonly Record<string, any>[]): DrawnButton[] => blocks.filter((b) => b.type === 'actions').flatMap((b) => b.elements);
