import type { Counter, Histogram, Registry } from 'prom-client';
import type { WhenUnsure } from '../store/service.ts';
import type { RequestNote } from '../http.ts';
import type { RequestKind, RequestOutcome } from '../request-kind.ts';

// GET /metrics in Prometheus text, from prom-client, on a registry of the product's own (two products in one test
// process do not share counters). Labels are fixed, small sets: never a user, a channel or a question's text.
//
// prom-client costs about 40 ms to import, so it is loaded after the server listens (load()); what happens before
// that is kept as a short backlog and replayed, so the first requests are counted too.

export type MetricPlatform = 'slack' | 'teams' | 'cli' | 'other';
export type { RequestKind, RequestOutcome } from '../request-kind.ts';


const KINDS = new Set<string>(['question', 'recommendation', 'form', 'feedback', 'history', 'report', 'help', 'compare', 'topics', 'share', 'expert', 'other']);
const PLATFORMS = new Set<string>(['slack', 'teams', 'cli', 'other']);
const OUTCOMES = new Set<string>(['ok', 'error', 'refused', 'duplicate', 'overload']);
const oneOf = (allowed: Set<string>, value: string, fallback: string) => (allowed.has(value) ? value : fallback);

/** Seconds; the Slack ack must come within 3 s, answers are expected in milliseconds. */
const LATENCY_BUCKETS = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

interface Loaded {
  registry: Registry;
  http: Counter<'platform' | 'outcome'>;
  httpSeconds: Histogram<'platform'>;
  requests: Counter<'platform' | 'kind' | 'outcome'>;
  requestSeconds: Histogram<'platform' | 'kind'>;
  questions: Counter<'platform' | 'outcome'>;
  feedback: Counter<'platform' | 'target' | 'rating'>;
  storeErrors: Counter<'operation'>;
  dropped: Counter;
  claimFallbacks: Counter<'use' | 'decision'>;
  connectionsShed: Counter<'reason'>;
  bodiesRefused: Counter<'reason'>;
  reportsPushed: Counter<'platform' | 'outcome'>;
  expertAnswerSeconds: Histogram<'platform'>;
}

/** Seconds from *Ask an expert* to the first expert reply relayed: minutes to days. */
const EXPERT_ANSWER_BUCKETS = [60, 300, 900, 1800, 3600, 7200, 14_400, 28_800, 86_400, 172_800, 604_800];

/** Why a connection was closed at the cap: the one idle longest made room, or every one was busy. */
export type ConnectionShed = 'idle_closed' | 'refused';
/** Why a request was refused before its body was read. */
export type BodyRefusal = 'in_flight' | 'unauthenticated' | 'too_large';

const BACKLOG_LIMIT = 10_000;

export class Metrics {
  private loaded: Loaded | undefined;
  private loading: Promise<Loaded> | undefined;
  private backlog: ((m: Loaded) => void)[] = [];
  /** Bound children by label values: a label lookup per request costs more than the increment. */
  private readonly httpChildren = new Map<string, { count: { inc(): void }; seconds: { observe(v: number): void } }>();
  private readonly requestChildren = new Map<string, { count: { inc(): void }; seconds: { observe(v: number): void } }>();
  /** What the HTTP server holds now (open connections, body bytes admitted), read when /metrics is scraped. */
  private httpLoad: (() => { connections: number; bodyBytes: number }) | undefined;

  /** The host tells where to read its load from (gauges). */
  watchHttp(read: () => { connections: number; bodyBytes: number }): void {
    this.httpLoad = read;
  }

  /** Loads prom-client and creates the metrics; replays what was counted before. Idempotent. */
  load(): Promise<Loaded> {
    this.loading ??= (async () => {
      const prom = await import('prom-client');
      const registry = new prom.Registry();
      prom.collectDefaultMetrics({ register: registry });
      const loaded: Loaded = {
        registry,
        http: new prom.Counter({ name: 'coexist_http_requests_total', help: 'HTTP requests to the platform endpoints, by platform and outcome (ok: 2xx/3xx, client_error: 4xx, overload: 503 for too much work in progress, server_error: other 5xx).', labelNames: ['platform', 'outcome'], registers: [registry] }),
        httpSeconds: new prom.Histogram({ name: 'coexist_http_request_duration_seconds', help: 'Time from request to response (for Slack: to the ack), by platform.', labelNames: ['platform'], buckets: LATENCY_BUCKETS, registers: [registry] }),
        requests: new prom.Counter({ name: 'coexist_requests_total', help: 'Platform requests, by platform, what they were about (kind) and outcome (ok, duplicate: handled before, refused: 4xx, overload, error: 5xx).', labelNames: ['platform', 'kind', 'outcome'], registers: [registry] }),
        requestSeconds: new prom.Histogram({ name: 'coexist_request_duration_seconds', help: 'Time from a platform request to its response (for Slack: to the ack), by platform and kind.', labelNames: ['platform', 'kind'], buckets: LATENCY_BUCKETS, registers: [registry] }),
        questions: new prom.Counter({ name: 'coexist_questions_total', help: 'Questions asked, by platform and outcome (answered: a topic was found; unanswered: none).', labelNames: ['platform', 'outcome'], registers: [registry] }),
        feedback: new prom.Counter({ name: 'coexist_feedback_total', help: 'Feedback given, by platform, target (answer, recommendation) and rating (helpful, not-helpful, correction).', labelNames: ['platform', 'target', 'rating'], registers: [registry] }),
        storeErrors: new prom.Counter({ name: 'coexist_store_errors_total', help: 'Store operations that failed (open, migrate, write, dropped records, claim, ping, prune, read).', labelNames: ['operation'], registers: [registry] }),
        dropped: new prom.Counter({ name: 'coexist_store_records_dropped_total', help: 'Records (questions, recommendations, feedback) given up without being written: a store that failed for longer than the recorder waits, a full queue, or a shutdown that could not flush.', registers: [registry] }),
        claimFallbacks: new prom.Counter({ name: 'coexist_store_claim_fallbacks_total', help: 'Deduplication claims the store could not settle in time, by use (slack:view, slack:event, teams:correction, ...) and decision (act: done anyway, a duplicate is possible; skip: not done).', labelNames: ['use', 'decision'], registers: [registry] }),
        connectionsShed: new prom.Counter({ name: 'coexist_http_connections_shed_total', help: 'Connections closed at the connection cap (MAX_CONNECTIONS): idle_closed (the one idle longest made room), refused (every one had a request in progress).', labelNames: ['reason'], registers: [registry] }),
        expertAnswerSeconds: new prom.Histogram({ name: 'coexist_expert_time_to_answer_seconds', help: 'Ask an expert: seconds from the question being asked to the first expert reply relayed to the asker, by platform.', labelNames: ['platform'], buckets: EXPERT_ANSWER_BUCKETS, registers: [registry] }),
        bodiesRefused: new prom.Counter({ name: 'coexist_http_bodies_refused_total', help: 'Requests refused before their body was read: in_flight (MAX_BODY_BYTES_IN_FLIGHT, 503), unauthenticated (no well-formed Slack signature or Bot Framework Authorization header, 401), too_large (declared over the endpoint cap, 413).', labelNames: ['reason'], registers: [registry] }),
        reportsPushed: new prom.Counter({ name: 'coexist_reports_pushed_total', help: "The owners' scheduled weekly report, one per KNOWLEDGE_OWNERS id and slot, by platform and outcome (sent; failed: not delivered after its retries, see the log; skipped: the platform is off, or the id is of neither platform).", labelNames: ['platform', 'outcome'], registers: [registry] }),
      };
      loaded.dropped.inc(0);
      const load = () => this.httpLoad?.();
      new prom.Gauge({ name: 'coexist_http_connections_open', help: 'Open HTTP connections.', registers: [registry], collect() { this.set(load()?.connections ?? 0); } });
      new prom.Gauge({ name: 'coexist_http_body_bytes_in_flight', help: 'Request body bytes admitted and not yet answered (capped by MAX_BODY_BYTES_IN_FLIGHT).', registers: [registry], collect() { this.set(load()?.bodyBytes ?? 0); } });
      for (const reason of ['idle_closed', 'refused']) loaded.connectionsShed.inc({ reason }, 0);
      for (const reason of ['in_flight', 'unauthenticated', 'too_large']) loaded.bodiesRefused.inc({ reason }, 0);
      // Every series exists from the start (at 0), so a dashboard shows a flat line, not "no data".
      for (const outcome of ['answered', 'unanswered']) loaded.questions.inc({ platform: 'slack', outcome }, 0);
      for (const operation of ['open', 'migrate', 'write', 'dropped', 'claim', 'ping', 'prune', 'read']) loaded.storeErrors.inc({ operation }, 0);
      const backlog = this.backlog;
      this.backlog = [];
      this.loaded = loaded;
      for (const replay of backlog) replay(loaded);
      return loaded;
    })();
    return this.loading;
  }

  private use(record: (m: Loaded) => void): void {
    if (this.loaded) record(this.loaded);
    else if (this.backlog.length < BACKLOG_LIMIT) this.backlog.push(record);
  }

  /**
   * One HTTP request to a platform endpoint, when its response is finished (the host calls this), with what the face
   * noted about it: counted in coexist_http_requests_total and, by kind, in coexist_requests_total.
   */
  http(platform: MetricPlatform, status: number, seconds: number, note?: RequestNote): void {
    const m = this.loaded;
    if (!m) return this.use(() => this.http(platform, status, seconds, note));
    const overload = note?.overload === true;
    const outcome = overload ? 'overload' : status >= 500 ? 'server_error' : status >= 400 ? 'client_error' : 'ok';
    const key = `${platform}|${outcome}`;
    let child = this.httpChildren.get(key);
    if (!child) {
      child = { count: m.http.labels(platform, outcome), seconds: m.httpSeconds.labels(platform) };
      this.httpChildren.set(key, child);
    }
    child.count.inc();
    child.seconds.observe(seconds);
    this.request(platform, note?.kind ?? 'other', overload ? 'overload' : status >= 500 ? 'error' : status >= 400 ? 'refused' : note?.duplicate ? 'duplicate' : 'ok', seconds);
  }

  /** One platform request by what it was about (http() calls this for every request to /slack/events and /api/messages). */
  request(platform: MetricPlatform, kind: RequestKind, outcome: RequestOutcome, seconds?: number): void {
    const p = oneOf(PLATFORMS, platform, 'other');
    const k = oneOf(KINDS, kind, 'other');
    const o = oneOf(OUTCOMES, outcome, 'error');
    this.use((m) => {
      const key = `${p}|${k}|${o}`;
      let child = this.requestChildren.get(key);
      if (!child) {
        child = { count: m.requests.labels(p, k, o), seconds: m.requestSeconds.labels(p, k) };
        this.requestChildren.set(key, child);
      }
      child.count.inc();
      if (seconds !== undefined && Number.isFinite(seconds)) child.seconds.observe(seconds);
    });
  }

  /** A question, answered (a topic) or not (topic null). */
  question(platform: MetricPlatform, answered: boolean): void {
    const p = oneOf(PLATFORMS, platform, 'other');
    this.use((m) => m.questions.inc({ platform: p, outcome: answered ? 'answered' : 'unanswered' }));
  }

  feedback(platform: MetricPlatform, target: 'answer' | 'recommendation', rating: 'helpful' | 'not-helpful' | 'correction'): void {
    const p = oneOf(PLATFORMS, platform, 'other');
    this.use((m) => m.feedback.inc({ platform: p, target: target === 'recommendation' ? 'recommendation' : 'answer', rating }));
  }

  connectionShed(reason: ConnectionShed): void {
    this.use((m) => m.connectionsShed.inc({ reason }));
  }

  bodyRefused(reason: BodyRefusal): void {
    this.use((m) => m.bodiesRefused.inc({ reason }));
  }

  storeError(operation: string, count = 1): void {
    this.use((m) => {
      m.storeErrors.inc({ operation }, count);
      if (operation === 'dropped') m.dropped.inc(count);
    });
  }

  /** A claim the store could not settle in time. `use` is a key's fixed prefix (a small set, never user text). */
  claimFallback(use: string, decision: WhenUnsure): void {
    const u = /^[a-z]+:[a-z-]+$/.test(use) ? use : 'other';
    this.use((m) => m.claimFallbacks.inc({ use: u, decision }));
  }

  /** One owner's scheduled report (adapters/host/report-push.ts), by platform and outcome. */
  reportPushed(platform: 'slack' | 'teams' | 'unknown', outcome: 'sent' | 'failed' | 'skipped'): void {
    this.use((m) => m.reportsPushed.inc({ platform, outcome }));
  }

  /** *Ask an expert*: a question's first expert reply was relayed, `seconds` after it was asked. */
  expertAnswered(platform: MetricPlatform, seconds: number): void {
    const p = oneOf(PLATFORMS, platform, 'other');
    if (Number.isFinite(seconds) && seconds >= 0) this.use((m) => m.expertAnswerSeconds.observe({ platform: p }, seconds));
  }

  /** The Prometheus text exposition (loads prom-client if it is not yet). */
  async render(): Promise<{ contentType: string; body: string }> {
    const m = await this.load();
    return { contentType: m.registry.contentType, body: await m.registry.metrics() };
  }
}
