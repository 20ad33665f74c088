import { spawn, spawnSync, type ChildProcess } from 'node:child_process';
import { createWriteStream, existsSync, mkdirSync, readFileSync, type WriteStream } from 'node:fs';
import net from 'node:net';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

// The bot in local mode and Microsoft 365 Agents Playground pointed at it, as child processes: shared by
// `npm run playground` (scripts/playground.ts) and `npm run test:e2e` (test-e2e/). Both listen on 127.0.0.1 only.
// Each child runs in its own process group, so stopping it stops whatever it started, and nothing outlives us.

export const ROOT = fileURLToPath(new URL('../..', import.meta.url));
const BOT_ENTRY = path.join(ROOT, 'dist/adapters/host/main.js');
const PLAYGROUND_CLI = path.join(ROOT, 'node_modules/@microsoft/m365agentsplayground/cli.js');
const LOOPBACK_PRELOAD = path.join(ROOT, 'scripts/playground/loopback.cjs');
/** Who is in the emulated Teams: the bot's name (for @mentions), the users, the group chat and the team. */
export const PLAYGROUND_CONFIG = path.join(ROOT, '.m365agentsplayground.yml');

/** Headless Debian chromium as root, with no network beyond loopback (see /work/.library/env/machines). */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** The system Chromium: CHROMIUM_PATH, else `chromium` or `chromium-browser` on the PATH. No browser is downloaded. */
export function chromiumPath(): string | undefined {
  if (process.env.CHROMIUM_PATH) return process.env.CHROMIUM_PATH;
  const found = spawnSync('sh', ['-c', 'command -v chromium || command -v chromium-browser'], { encoding: 'utf8' });
  const first = found.stdout.trim().split('\n')[0];
  return found.status === 0 && first ? first : undefined;
}

/** A port nobody listens on at 127.0.0.1 right now. */
export function freeLoopbackPort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

const running = new Set<ChildProcess>();
let exitHookInstalled = false;
function killGroup(proc: ChildProcess, signal: NodeJS.Signals): void {
  if (proc.pid === undefined || proc.exitCode !== null || proc.signalCode !== null) return;
  try {
    process.kill(-proc.pid, signal);
  } catch {
    try {
      proc.kill(signal);
    } catch {
      // already gone
    }
  }
}
function installExitHook(): void {
  if (exitHookInstalled) return;
  exitHookInstalled = true;
  // Last resort if our process ends without stopping its children (a crash, process.exit in a test runner).
  process.on('exit', () => {
    for (const proc of running) killGroup(proc, 'SIGKILL');
  });
}

export type Output = { kind: 'inherit' } | { kind: 'file'; file: string } | { kind: 'echo'; prefix: string };

/** A child process in its own process group, with the last few KiB of its output kept for error messages. */
export class Child {
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  private tailText = '';
  private readonly log: WriteStream | undefined;

  constructor(
    readonly name: string,
    readonly proc: ChildProcess,
    output: Output,
  ) {
    running.add(proc);
    installExitHook();
    if (output.kind === 'file') {
      mkdirSync(path.dirname(output.file), { recursive: true });
      this.log = createWriteStream(output.file);
    }
    const onData = (chunk: Buffer) => {
      this.tailText = (this.tailText + chunk.toString('utf8')).slice(-8192);
      if (this.log) this.log.write(chunk);
      else if (output.kind === 'echo') process.stdout.write(chunk.toString('utf8').replace(/^(?=.)/gm, output.prefix));
    };
    proc.stdout?.on('data', onData);
    proc.stderr?.on('data', onData);
    this.exited = new Promise((resolve) => {
      proc.once('exit', (code, signal) => {
        running.delete(proc);
        resolve({ code, signal });
      });
      proc.once('error', (err) => {
        running.delete(proc);
        this.tailText += `\n${err.message}`;
        resolve({ code: null, signal: null });
      });
    });
    void this.exited.then(() => this.log?.end());
  }

  /** The end of what the process printed. */
  tail(lines = 30): string {
    return this.tailText.split('\n').slice(-lines).join('\n');
  }

  get alive(): boolean {
    return this.proc.exitCode === null && this.proc.signalCode === null;
  }

  /** Resolves with the first match of `pattern` in the output; rejects if the process exits or time runs out. */
  waitForOutput(pattern: RegExp, timeoutMs: number): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      let seen = '';
      const done = (err?: Error, match?: RegExpMatchArray) => {
        clearTimeout(timer);
        this.proc.stdout?.off('data', onData);
        this.proc.stderr?.off('data', onData);
        if (err) reject(err);
        else resolve(match!);
      };
      const onData = (chunk: Buffer) => {
        seen = (seen + chunk.toString('utf8')).slice(-65536);
        const match = seen.match(pattern);
        if (match) done(undefined, match);
      };
      const timer = setTimeout(() => done(new Error(`${this.name} did not print ${pattern} within ${timeoutMs} ms. Its last output:\n${this.tail()}`)), timeoutMs);
      this.proc.stdout?.on('data', onData);
      this.proc.stderr?.on('data', onData);
      void this.exited.then(({ code, signal }) => done(new Error(`${this.name} exited (${signal ?? `code ${code}`}) before printing ${pattern}. Its last output:\n${this.tail()}`)));
    });
  }

  /** SIGTERM to the whole process group; SIGKILL if it has not exited after `graceMs`. */
  async stop(graceMs = 10_000): Promise<void> {
    if (!this.alive) return;
    killGroup(this.proc, 'SIGTERM');
    let timer: NodeJS.Timeout | undefined;
    const late = await Promise.race([
      this.exited.then(() => false),
      new Promise<boolean>((resolve) => {
        timer = setTimeout(() => resolve(true), graceMs);
      }),
    ]);
    clearTimeout(timer);
    if (late) {
      killGroup(this.proc, 'SIGKILL');
      await Promise.race([this.exited, new Promise((resolve) => setTimeout(resolve, 2_000).unref())]);
    }
  }
}

function spawnChild(name: string, args: string[], env: NodeJS.ProcessEnv, output: Output, cwd = ROOT): Child {
  const proc = spawn(process.execPath, args, {
    cwd,
    env,
    detached: true,
    stdio: ['ignore', output.kind === 'inherit' ? 'inherit' : 'pipe', output.kind === 'inherit' ? 'inherit' : 'pipe'],
  });
  return new Child(name, proc, output);
}

export interface RunningBot {
  child: Child;
  port: number;
  /** The Teams endpoint, e.g. http://127.0.0.1:3978/api/messages. */
  endpoint: string;
}

export interface BotOptions {
  port: number;
  output: Output;
  /** Extra variables, e.g. LOG_LEVEL or KNOWLEDGE_FILE; everything else comes from this process (and .env). */
  env?: Record<string, string>;
  timeoutMs?: number;
}

/**
 * Starts the built product (dist/, as `npm start` runs it) with Teams in unauthenticated local mode on
 * 127.0.0.1: the Microsoft credentials are blanked (an empty value counts as unset, and .env does not override
 * a variable that is set) and Slack is switched off. Resolves once /healthz answers.
 */
export async function startBot(options: BotOptions): Promise<RunningBot> {
  if (!existsSync(BOT_ENTRY)) throw new Error(`${path.relative(ROOT, BOT_ENTRY)} is missing: run node bin/build.js first`);
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    PORT: String(options.port),
    HOST: '127.0.0.1',
    // Any free port: a bot already running here holds the default one.
    MANAGEMENT_PORT: '0',
    NODE_ENV: 'development',
    TEAMS_ENABLED: 'true',
    SLACK_ENABLED: 'false',
    MICROSOFT_APP_ID: '',
    MICROSOFT_APP_PASSWORD: '',
    MICROSOFT_APP_TYPE: '',
    MICROSOFT_APP_TENANT_ID: '',
    TEAMS_ALLOWED_SERVICE_URLS: '',
    ...options.env,
  };
  const child = spawnChild('the bot', [BOT_ENTRY], env, options.output);
  const base = `http://127.0.0.1:${options.port}`;
  const deadline = Date.now() + (options.timeoutMs ?? 30_000);
  for (;;) {
    if (!child.alive) {
      await child.exited;
      throw new Error(`the bot exited before it answered ${base}/healthz. Its last output:\n${child.tail()}`);
    }
    try {
      const res = await fetch(`${base}/healthz`, { signal: AbortSignal.timeout(1_000) });
      if (res.ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await child.stop();
      throw new Error(`the bot did not answer ${base}/healthz within ${options.timeoutMs ?? 30_000} ms. Its last output:\n${child.tail()}`);
    }
    await new Promise((r) => setTimeout(r, 100));
  }
  return { child, port: options.port, endpoint: `${base}/api/messages` };
}

export interface RunningPlayground {
  child: Child;
  port: number;
  /** Where to open it: http://127.0.0.1:<port>. */
  url: string;
  /** The end of its log file: it writes its errors there, not to the console. */
  logTail(lines?: number): string;
}

export interface PlaygroundOptions {
  endpoint: string;
  /** The port to ask for; the Playground takes another one if it is taken, and says which. */
  port: number;
  output: Output;
  /** The Playground's own log file. */
  logFile: string;
  timeoutMs?: number;
}

function fileTail(file: string, lines: number): string {
  try {
    return readFileSync(file, 'utf8').trimEnd().split('\n').slice(-lines).join('\n');
  } catch {
    return '(no log file)';
  }
}

/**
 * Starts Microsoft 365 Agents Playground as a Teams client of `endpoint`, on 127.0.0.1 only (loopback.cjs),
 * without opening a browser and without telemetry. It prints "Listening on <port>" before it reads its config
 * (a bad .m365agentsplayground.yml makes it exit just after): resolves once that port serves the page and the
 * process is still running.
 */
export async function startPlayground(options: PlaygroundOptions): Promise<RunningPlayground> {
  if (!existsSync(PLAYGROUND_CLI)) throw new Error('@microsoft/m365agentsplayground is not installed: run npm install');
  mkdirSync(path.dirname(options.logFile), { recursive: true });
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    TEAMSAPPTESTER_BROWSER: 'none',
    M365_AGENTS_PLAYGROUND_CONFIG_PATH: PLAYGROUND_CONFIG,
    M365_AGENTS_PLAYGROUND_LOGFILE: options.logFile,
  };
  const args = ['--require', LOOPBACK_PRELOAD, PLAYGROUND_CLI, 'start', '-e', options.endpoint, '-c', 'msteams', '-p', String(options.port), '--disable-telemetry'];
  // Its working directory is where it would write anything else it writes (devTools/): keep that out of the tree.
  const child = spawnChild('Agents Playground', args, env, options.output, path.dirname(options.logFile));
  const logTail = (lines = 15) => fileTail(options.logFile, lines);
  const timeoutMs = options.timeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  try {
    const match = await child.waitForOutput(/Listening on (\d+)/, timeoutMs);
    const port = Number(match[1]);
    const url = `http://127.0.0.1:${port}`;
    for (;;) {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) }).catch(() => undefined);
      // Give a config error the moment it takes to surface before calling the Playground ready.
      if (res?.ok) await new Promise((r) => setTimeout(r, 300));
      if (!child.alive) throw new Error(`Agents Playground exited just after it started. Its log (${options.logFile}):\n${logTail()}`);
      if (res?.ok) return { child, port, url, logTail };
      if (Date.now() > deadline) throw new Error(`Agents Playground did not serve ${url} within ${timeoutMs} ms. Its log:\n${logTail()}`);
      await new Promise((r) => setTimeout(r, 200));
    }
  } catch (err) {
    await child.stop();
    throw err;
  }
}
