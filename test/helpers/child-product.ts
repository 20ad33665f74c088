import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { FIXTURE_KNOWLEDGE_FILE } from './fixtures.ts';
import { teamsActivity } from './teams-activity.ts';

// The product as operators run it: its own process (`node adapters/host/main.ts` through tsx), so a test can see it
// die, kill it with SIGKILL, and read its JSON log lines. Teams in local mode (no credentials) is the way in: each
// question is one POST /api/messages, answered through a fake connector.

const ROOT = fileURLToPath(new URL('../../', import.meta.url));

export interface ChildProduct {
  child: ChildProcess;
  url: string;
  /** The management port: GET /healthz, /readyz, /metrics. */
  managementUrl: string;
  /** Every log line so far, parsed. */
  lines: Record<string, any>[];
  /** Resolves with the exit code (or the signal's name) when the process ends. */
  exited: Promise<number | string>;
  /** True while the process runs. */
  alive(): boolean;
  /** One question in a personal chat; resolves with the HTTP status of /api/messages. */
  ask(text: string, serviceUrl: string): Promise<number>;
  /** Waits for a log line matching `test` (already logged or to come). */
  waitForLog(test: (line: Record<string, any>) => boolean, timeoutMs?: number): Promise<Record<string, any>>;
  kill(signal?: NodeJS.Signals): void;
}

/** Starts the product; resolves once it listens (and, unless `waitForStore` is false, once its store is ready). */
export async function startChildProduct(env: Record<string, string>, options: { waitForStore?: boolean; wrap?: (argv: string[]) => string[]; compiled?: boolean } = {}): Promise<ChildProduct> {
  // compiled: dist/ as `npm start` runs it (build it first); otherwise the sources through tsx.
  const argv = options.compiled ? [process.execPath, 'dist/adapters/host/main.js'] : [process.execPath, '--import', 'tsx', 'adapters/host/main.ts'];
  const [command, ...args] = options.wrap ? options.wrap(argv) : argv;
  const child = spawn(command!, args, {
    cwd: ROOT,
    env: { PATH: process.env.PATH ?? '', PORT: '0', MANAGEMENT_PORT: '0', HOST: '127.0.0.1', LOG_LEVEL: 'info', KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE, ...env },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  const lines: Record<string, any>[] = [];
  const waiters = new Set<{ test: (l: Record<string, any>) => boolean; resolve: (l: Record<string, any>) => void }>();
  let pending = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => {
    pending += chunk.toString();
    const parts = pending.split('\n');
    pending = parts.pop()!;
    for (const part of parts) {
      if (!part.trim()) continue;
      let line: Record<string, any>;
      try {
        line = JSON.parse(part);
      } catch {
        line = { msg: part };
      }
      lines.push(line);
      for (const w of [...waiters]) if (w.test(line)) {
        waiters.delete(w);
        w.resolve(line);
      }
    }
  });
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  let running = true;
  const exited = new Promise<number | string>((resolve) =>
    child.on('exit', (code, signal) => {
      running = false;
      resolve(code ?? signal ?? 'unknown');
    }),
  );
  const waitForLog = (test: (line: Record<string, any>) => boolean, timeoutMs = 20_000) => {
    const seen = lines.find(test);
    if (seen) return Promise.resolve(seen);
    return new Promise<Record<string, any>>((resolve, reject) => {
      const w = { test, resolve: (l: Record<string, any>) => (clearTimeout(timer), resolve(l)) };
      const timer = setTimeout(() => {
        waiters.delete(w);
        reject(new Error(`no such log line within ${timeoutMs} ms; stderr: ${stderr.slice(-2000)}; last lines: ${JSON.stringify(lines.slice(-5))}`));
      }, timeoutMs);
      waiters.add(w);
      void exited.then((code) => {
        if (!waiters.has(w)) return;
        waiters.delete(w);
        clearTimeout(timer);
        reject(new Error(`the product exited (${code}) first; stderr: ${stderr.slice(-2000)}`));
      });
    });
  };
  const listening = await waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('coexist-advisor listening on'));
  if (options.waitForStore !== false) await waitForLog((l) => typeof l.msg === 'string' && l.msg.startsWith('store ready'));
  const url = String(listening.url);
  return {
    child,
    url,
    managementUrl: String(listening.managementUrl),
    lines,
    exited,
    alive: () => running,
    waitForLog,
    kill: (signal = 'SIGKILL') => void child.kill(signal),
    async ask(text, serviceUrl) {
      const res = await fetch(`${url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(teamsActivity(serviceUrl, { text })) });
      await res.arrayBuffer();
      return res.status;
    },
  };
}
