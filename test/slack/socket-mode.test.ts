import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { WebSocketServer, type WebSocket } from 'ws';
import { FakeSlack } from '../helpers/fake-slack.ts';
import { BOT_TOKEN, startTestProduct } from '../helpers/product.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';

// Socket Mode (SLACK_APP_TOKEN): the app asks the Web API (at SLACK_API_URL) for a WebSocket URL, connects, and
// answers envelopes over the socket. Here both the Web API and the socket are fakes on 127.0.0.1.

let fake: FakeSlack;
let wss: WebSocketServer;
let socket: Promise<WebSocket>;
let product: Awaited<ReturnType<typeof startTestProduct>>;

beforeAll(async () => {
  wss = new WebSocketServer({ host: '127.0.0.1', port: 0 });
  await new Promise<void>((r) => wss.once('listening', () => r()));
  socket = new Promise((resolve) =>
    wss.once('connection', (ws) => {
      ws.send(JSON.stringify({ type: 'hello', num_connections: 1, debug_info: { host: 'fake' }, connection_info: { app_id: 'A1' } }));
      resolve(ws);
    }),
  );
  fake = await new FakeSlack().start();
  const wsUrl = `ws://127.0.0.1:${(wss.address() as AddressInfo).port}/link`;
  fake.answerWith('apps.connections.open', () => ({ ok: true, url: wsUrl }));
  product = await startTestProduct({ SLACK_BOT_TOKEN: BOT_TOKEN, SLACK_APP_TOKEN: 'xapp-1-test-token', SLACK_API_URL: fake.apiUrl });
});
afterAll(async () => {
  await product?.stop();
  for (const client of wss?.clients ?? []) client.terminate();
  await new Promise<void>((r) => wss?.close(() => r()));
  await fake?.stop();
});

function envelope(ws: WebSocket, id: string, type: string, payload: Record<string, unknown>): Promise<Record<string, any>> {
  return new Promise((resolve) => {
    const onMessage = (data: Buffer) => {
      const msg = JSON.parse(data.toString());
      if (msg.envelope_id === id) {
        ws.off('message', onMessage);
        resolve(msg);
      }
    };
    ws.on('message', onMessage);
    ws.send(JSON.stringify({ envelope_id: id, type, payload, accepts_response_payload: true }));
  });
}

describe('Slack in Socket Mode', () => {
  it('connects through SLACK_API_URL and answers a slash command over the socket', async () => {
    const ws = await socket;
    expect(fake.callsTo('apps.connections.open')).toHaveLength(1);
    const reply = await envelope(ws, 'env-1', 'slash_commands', {
      command: '/coexist-vs-api',
      text: 'can the owner keep chatting on his phone?',
      team_id: 'T1',
      channel_id: 'C_DEALS',
      user_id: 'U_AGENT',
      response_url: `${fake.url}/response/sock`,
      trigger_id: 'trigger-sock',
      api_app_id: 'A1',
    });
    expect(reply.payload.response_type).toBe('ephemeral');
    expect(reply.payload.blocks[0].text.text).toBe('1:1 chats from the phone');
    expect(slackLimitViolations(reply.payload)).toEqual([]);
    const health = await (await fetch(`${product.url}/healthz`)).json();
    expect(health).toMatchObject({ slack: 'socket' });
  });
});
