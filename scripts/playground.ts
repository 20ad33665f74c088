import path from 'node:path';
import { ROOT, freeLoopbackPort, startBot, startPlayground, type RunningBot, type RunningPlayground } from './playground/session.ts';

// `npm run playground`: try the Teams bot in a minute, with no accounts. Starts the bot in local mode on
// 127.0.0.1 and Microsoft 365 Agents Playground (a Teams emulator in the browser) pointed at it, prints the URL to
// open, and stops both on Ctrl-C. PORT sets the bot's port (default: a free one); PLAYGROUND_PORT the
// Playground's (default 56150, or a free one if that is taken). The bot reads .env as `npm start` does, except
// that Teams runs unauthenticated, Slack is off, and what it records goes to a store of its own under
// build/playground/data (never DATABASE_URL or DATA_DIR: trying things out leaves no trace in real history).

const DEFAULT_PLAYGROUND_PORT = 56150;

function portFrom(name: string): number | undefined {
  const raw = process.env[name]?.trim();
  if (!raw) return undefined;
  const port = Number(raw);
  if (!Number.isInteger(port) || port < 1 || port > 65535) {
    process.stderr.write(`${name} must be a port number (1-65535), not "${raw}"\n`);
    process.exit(2);
  }
  return port;
}

let bot: RunningBot | undefined;
let playground: RunningPlayground | undefined;
let stopping = false;

async function stop(code: number): Promise<never> {
  if (!stopping) {
    stopping = true;
    await playground?.child.stop(5_000);
    await bot?.child.stop();
  }
  process.exit(code);
}

process.on('SIGINT', () => {
  if (stopping) process.exit(130); // a second Ctrl-C: the exit hook kills what is left
  process.stdout.write('\nStopping the Playground and the bot…\n');
  void stop(0);
});
process.on('SIGTERM', () => void stop(0));
process.on('SIGHUP', () => void stop(0));

try {
  const botPort = portFrom('PORT') ?? (await freeLoopbackPort());
  bot = await startBot({ port: botPort, output: { kind: 'inherit' }, env: { DATA_DIR: path.join(ROOT, 'build/playground/data'), DATABASE_URL: '' } });
  playground = await startPlayground({
    endpoint: bot.endpoint,
    port: portFrom('PLAYGROUND_PORT') ?? DEFAULT_PLAYGROUND_PORT,
    output: { kind: 'echo', prefix: '[playground] ' },
    logFile: path.join(ROOT, 'build/playground/m365agentsplayground.log'),
  });
  process.stdout.write(
    [
      '',
      `  Open ${playground.url} in your browser: a Teams chat with the Co-Existence Advisor (bot at ${bot.endpoint}).`,
      '  Try "can we make video calls on the api?", "compare" or "recommend Acme"; in the Support team group chat, @mention the bot first.',
      '  Both listen on 127.0.0.1 only. Ctrl-C stops both.',
      '',
    ].join('\n'),
  );
  // Either one stopping on its own ends the session.
  const first = await Promise.race([bot.child.exited.then((r) => ({ who: 'the bot', ...r })), playground.child.exited.then((r) => ({ who: 'Agents Playground', ...r }))]);
  if (!stopping) {
    process.stderr.write(`${first.who} stopped (${first.signal ?? `exit code ${first.code}`}); stopping the other.\n`);
    if (first.who === 'Agents Playground') process.stderr.write(`Its log:\n${playground.logTail()}\n`);
    await stop(1);
  }
} catch (err) {
  process.stderr.write(`npm run playground could not start: ${(err as Error).message}\n`);
  await stop(1);
}
