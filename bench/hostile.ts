import { fork, type ChildProcess } from 'node:child_process';
import { readFileSync, rmSync } from 'node:fs';
import { request } from 'node:http';
import { connect, type Socket } from 'node:net';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { signedSlashCommand, spawnServer, stopServer, type Server } from './http.ts';

// The audit's hostile shapes (issue 17), bounded and on loopback only, against the product in its own process
// (bench/servers.ts 'product', default limits):
//   slowloris  2 attackers × 10,500 half-open connections (headers never finished; each reconnects when closed),
//              while a prober sends GET /healthz and a signed slash command every second on fresh connections.
//   fat        2,000 connections at once, each POSTing an unsigned 1 MB body to /slack/events, all but its last
//              byte, then holding it (as the audit did) until the server closes it or 20 s pass; then the same with a
//              signed-looking header and a 200 KB body (under the Slack cap: they reach the in-flight total).
//              The server's RSS is sampled before, during and after.
// Run: `npm run bench -- hostile` (or `node --import tsx bench/hostile.ts [slowloris|fat]`). HOSTILE_SECONDS sets
// the slowloris duration (default 40). Each attacker is a process of its own with its own source address
// (127.0.0.2, 127.0.0.3), so 10,500 connections fit its descriptor limit (ulimit -n 20,000 here; not raised) and
// the probes' ports are not taken (Linux routes all of 127.0.0.0/8 to loopback; the server listens on 127.0.0.1).

const SELF = fileURLToPath(import.meta.url);

interface AttackReport {
  opened: number;
  closedByServer: number;
  errors: number;
  statuses: Record<string, number>;
  maxOpen: number;
}

// ─── attacker (child process) ──────────────────────────────────────────────────────────────────────────────────

async function attacker(): Promise<void> {
  const cfg = JSON.parse(process.argv[3]!) as { mode: 'slowloris' | 'fat'; port: number; count: number; from: string; seconds: number; bytes?: number; signed?: boolean };
  const report: AttackReport = { opened: 0, closedByServer: 0, errors: 0, statuses: {}, maxOpen: 0 };
  let open = 0;
  let stopping = false;
  const sockets = new Set<Socket>();
  const count = (status: string) => (report.statuses[status] = (report.statuses[status] ?? 0) + 1);

  if (cfg.mode === 'slowloris') {
    // Keep `count` half-open connections: open at most 1,000 per 100 ms, reopen what the server closes.
    const openOne = () => {
      const s = connect({ port: cfg.port, host: '127.0.0.1', localAddress: cfg.from });
      sockets.add(s);
      open++;
      report.maxOpen = Math.max(report.maxOpen, open);
      s.on('connect', () => {
        report.opened++;
        s.write('POST /slack/events HTTP/1.1\r\nHost: 127.0.0.1\r\nx-a: ');
      });
      let got = '';
      s.on('data', (d: Buffer) => {
        if (!got) got = d.toString('latin1').slice(9, 12);
      });
      s.on('error', () => report.errors++);
      s.on('close', () => {
        sockets.delete(s);
        open--;
        if (!stopping) {
          report.closedByServer++;
          count(got || 'closed');
        }
      });
    };
    const topUp = setInterval(() => {
      for (let i = 0; i < 1000 && open < cfg.count; i++) openOne();
    }, 100);
    // A header byte every 10 s, as slowloris does to dodge idle timeouts.
    const drip = setInterval(() => {
      for (const s of sockets) if (s.writable) s.write('b');
    }, 10_000);
    await new Promise((r) => setTimeout(r, cfg.seconds * 1000));
    stopping = true;
    clearInterval(topUp);
    clearInterval(drip);
  } else {
    const body = Buffer.alloc(cfg.bytes!, 'x');
    const ts = String(Math.floor(Date.now() / 1000));
    const headers = [
      'POST /slack/events HTTP/1.1',
      'Host: 127.0.0.1',
      'Content-Type: application/x-www-form-urlencoded',
      `Content-Length: ${cfg.bytes}`,
      ...(cfg.signed ? [`X-Slack-Request-Timestamp: ${ts}`, `X-Slack-Signature: v0=${'ab'.repeat(32)}`] : []),
      '',
      '',
    ].join('\r\n');
    const done: Promise<void>[] = [];
    for (let i = 0; i < cfg.count; i++) {
      done.push(
        new Promise<void>((resolve) => {
          const s = connect({ port: cfg.port, host: '127.0.0.1', localAddress: cfg.from });
          let got = '';
          s.on('connect', () => {
            report.opened++;
            s.write(headers);
            // All but the last byte, then hold: the server waits for the rest with what it has read.
            s.write(body.subarray(0, body.length - 1));
          });
          s.on('data', (d: Buffer) => {
            if (!got) got = d.toString('latin1').slice(9, 12);
          });
          s.on('error', () => report.errors++);
          s.on('close', () => {
            count(got || 'closed');
            resolve();
          });
          // Whatever happens, give up after the run's time.
          setTimeout(() => s.destroy(), cfg.seconds * 1000).unref();
        }),
      );
    }
    await Promise.all(done);
  }
  for (const s of sockets) s.destroy();
  process.send?.(report, () => process.exit(0));
}

function spawnAttacker(cfg: Record<string, unknown>): { child: ChildProcess; report: Promise<AttackReport> } {
  const child = fork(SELF, ['--attacker', JSON.stringify(cfg)], { execArgv: ['--import', 'tsx'], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
  const report = new Promise<AttackReport>((resolve, reject) => {
    child.once('message', (m) => resolve(m as AttackReport));
    child.once('exit', (code) => code !== 0 && reject(new Error(`attacker exited with ${code}`)));
  });
  return { child, report };
}

// ─── prober and measurements (this process) ────────────────────────────────────────────────────────────────────

interface Probe {
  kind: 'healthz' | 'slack';
  ok: boolean;
  ms: number;
  status: number | string;
}

function probe(server: Server, kind: 'healthz' | 'slack', timeoutMs = 5000): Promise<Probe> {
  const url = new URL(server.url);
  const started = performance.now();
  const signed = kind === 'slack' ? signedSlashCommand('calls') : undefined;
  return new Promise((resolve) => {
    const finish = (status: number | string) => resolve({ kind, ok: status === 200, ms: Math.round(performance.now() - started), status });
    const req = request(
      { host: url.hostname, port: url.port, path: signed ? signed.path : '/healthz', method: signed ? 'POST' : 'GET', agent: false, localAddress: '127.0.0.1', headers: signed ? { ...signed.headers, 'content-length': Buffer.byteLength(signed.body) } : {}, timeout: timeoutMs },
      (res) => {
        res.resume();
        res.on('end', () => finish(res.statusCode ?? 0));
      },
    );
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (err) => finish((err as NodeJS.ErrnoException).code ?? err.message));
    req.end(signed?.body);
  });
}

/** The server's RSS in MB (-1 when it could not read it: no file descriptor left). */
async function rss(server: Server): Promise<number> {
  const reply = new Promise<number>((resolve) => server.child.once('message', (m) => resolve((m as { rssMb: number }).rssMb)));
  server.child.send('stats');
  return reply;
}

async function metricsOrNothing(server: Server, name: string): Promise<string> {
  try {
    return await metric(server, name);
  } catch (err) {
    return `(not read: ${(err as Error).message})`;
  }
}

async function metric(server: Server, name: string): Promise<string> {
  const text = await (await fetch(`${server.managementUrl}/metrics`)).text();
  return text
    .split('\n')
    .filter((l) => l.startsWith(name))
    .map((l) => l.replace(name, ''))
    .join(' ');
}

const pct = (xs: number[], p: number) => (xs.length ? [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor((xs.length * p) / 100))]! : Number.NaN);

function summarise(probes: Probe[], kind: Probe['kind']): string {
  const mine = probes.filter((p) => p.kind === kind);
  const ok = mine.filter((p) => p.ok).map((p) => p.ms);
  const failed = mine.filter((p) => !p.ok).map((p) => String(p.status));
  return `${kind}: ${ok.length}/${mine.length} ok, p50 ${pct(ok, 50)} ms, p90 ${pct(ok, 90)} ms, max ${ok.length ? Math.max(...ok) : '–'} ms${failed.length ? `; failed: ${[...new Set(failed)].map((f) => `${f} ×${failed.filter((x) => x === f).length}`).join(', ')}` : ''}`;
}

function logLines(file: string, pattern: RegExp): number {
  try {
    return readFileSync(file, 'utf8')
      .split('\n')
      .filter((l) => pattern.test(l)).length;
  } catch {
    return 0;
  }
}

async function slowloris(seconds: number): Promise<string[]> {
  const logFile = path.join(tmpdir(), `coexist-hostile-${process.pid}.log`);
  const server = await spawnServer('./servers.ts', 'product', { env: { BENCH_LOG_FILE: logFile } });
  const port = Number(new URL(server.url).port);
  const out: string[] = [];
  try {
    const before = await Promise.all([probe(server, 'healthz'), probe(server, 'slack')]);
    const rssBefore = await rss(server);
    const attackers = ['127.0.0.2', '127.0.0.3'].map((from) => spawnAttacker({ mode: 'slowloris', port, count: 10_500, from, seconds }));
    const probes: Probe[] = [];
    let rssPeak = rssBefore;
    const started = Date.now();
    while (Date.now() - started < seconds * 1000) {
      const tick = Date.now();
      const [h, s] = await Promise.all([probe(server, 'healthz'), probe(server, 'slack')]);
      probes.push(h, s);
      rssPeak = Math.max(rssPeak, await rss(server));
      await new Promise((r) => setTimeout(r, Math.max(0, 1000 - (Date.now() - tick))));
    }
    const reports = await Promise.all(attackers.map((a) => a.report));
    await new Promise((r) => setTimeout(r, 2000));
    const after = await Promise.all([probe(server, 'healthz'), probe(server, 'slack')]);
    const rssAfter = await rss(server);
    out.push(`before: healthz ${before[0]!.status} in ${before[0]!.ms} ms, slack ${before[1]!.status} in ${before[1]!.ms} ms`);
    out.push(`during ${seconds} s of 2 × 10,500 half-open connections (one probe pair a second):`);
    out.push(`  ${summarise(probes, 'healthz')}`);
    out.push(`  ${summarise(probes, 'slack')}`);
    const first10 = probes.slice(0, 20);
    out.push(`  first 10 s: ${first10.filter((p) => p.ok).length}/${first10.length} ok`);
    for (const [i, r] of reports.entries()) {
      out.push(`  attacker ${i + 1}: ${r.opened} connections opened, ${r.closedByServer} closed by the server (${Object.entries(r.statuses).map(([k, v]) => `${k} ×${v}`).join(', ')}), ${r.errors} errors, at most ${r.maxOpen} open at once`);
    }
    out.push(`after: healthz ${after[0]!.status} in ${after[0]!.ms} ms, slack ${after[1]!.status} in ${after[1]!.ms} ms`);
    out.push(`server RSS: ${rssBefore} MB before, ${rssPeak} MB at most during, ${rssAfter} MB after`);
    out.push(`metrics: coexist_http_connections_shed_total ${await metricsOrNothing(server, 'coexist_http_connections_shed_total')}`);
    out.push(`log: ${logLines(logFile, /connection cap reached/)} "connection cap reached" line(s), ${logLines(logFile, /connections shed at the cap/)} summary line(s), ${logLines(logFile, /"level":50/)} error line(s)`);
  } finally {
    await stopServer(server).catch(() => undefined);
    rmSync(logFile, { force: true });
  }
  return out;
}

async function fat(label: string, cfg: { bytes: number; signed: boolean }): Promise<string[]> {
  const logFile = path.join(tmpdir(), `coexist-hostile-fat-${process.pid}.log`);
  const server = await spawnServer('./servers.ts', 'product', { env: { BENCH_LOG_FILE: logFile } });
  const port = Number(new URL(server.url).port);
  const out: string[] = [];
  try {
    await probe(server, 'slack');
    const rssBefore = await rss(server);
    const started = performance.now();
    const attackers = ['127.0.0.2', '127.0.0.3'].map((from) => spawnAttacker({ mode: 'fat', port, count: 1000, from, seconds: 20, ...cfg }));
    let rssPeak = rssBefore;
    const probes: Probe[] = [];
    let finished = false;
    const all = Promise.all(attackers.map((a) => a.report)).finally(() => (finished = true));
    while (!finished) {
      rssPeak = Math.max(rssPeak, await rss(server));
      probes.push(await probe(server, 'slack'), await probe(server, 'healthz'));
      await new Promise((r) => setTimeout(r, 100));
    }
    const reports = await all;
    const ms = Math.round(performance.now() - started);
    await new Promise((r) => setTimeout(r, 2000));
    const rssAfter = await rss(server);
    const statuses: Record<string, number> = {};
    for (const r of reports) for (const [k, v] of Object.entries(r.statuses)) statuses[k] = (statuses[k] ?? 0) + v;
    out.push(`${label}: 2,000 connections (2 attackers × 1,000, each holding its body's last byte) over in ${ms} ms; answers: ${Object.entries(statuses).map(([k, v]) => `${k} ×${v}`).join(', ')}`);
    out.push(`  server RSS: ${rssBefore} MB before, ${rssPeak} MB at most during, ${rssAfter} MB 2 s after`);
    out.push(`  probes during it: ${summarise(probes, 'slack')}; ${summarise(probes, 'healthz')}`);
    out.push(`  metrics: coexist_http_bodies_refused_total ${await metricsOrNothing(server, 'coexist_http_bodies_refused_total')}`);
    out.push(`  log: ${logLines(logFile, /bodies in flight reached/)} "bodies in flight reached" line(s), ${logLines(logFile, /"level":50/)} error line(s), ${logLines(logFile, /"msg":"http"/)} per-request lines`);
  } finally {
    await stopServer(server).catch(() => undefined);
    rmSync(logFile, { force: true });
  }
  return out;
}

export async function benchHostile(part?: string): Promise<string[]> {
  const seconds = Number(process.env.HOSTILE_SECONDS ?? 40);
  const lines: string[] = [`hostile load · node ${process.version} · ${new Date().toISOString()}`];
  if (!part || part === 'slowloris') lines.push('', '## slowloris', ...(await slowloris(seconds)));
  if (!part || part === 'fat') {
    lines.push('', '## fat bodies', ...(await fat('unsigned 1 MB bodies', { bytes: 1024 * 1024, signed: false })));
    lines.push(...(await fat('signed-looking 200 KB bodies', { bytes: 200 * 1024, signed: true })));
  }
  return lines;
}

if (process.argv[2] === '--attacker') await attacker();
else if (process.argv[1] === SELF) {
  for (const line of await benchHostile(process.argv[2])) console.log(line);
  process.exit(0);
}
