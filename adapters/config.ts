import path from 'node:path';
import { z } from 'zod';
import { STORE_FILE_NAME } from './store-file.ts';
import { HOST_LIMITS } from './server-limits.ts';
import { scheduleProblem, timezoneProblem } from './schedule-spec.ts';

// Configuration from the environment (SPEC names), validated once at start. Every problem is reported together,
// each naming its variable. Empty values count as unset, so a copied .env.example works as is.

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const;
const APP_TYPES = ['MultiTenant', 'SingleTenant', 'UserAssignedMSI'] as const;

const optionalText = z.string().trim().optional();

const SWITCH_WORDS: Record<string, boolean> = { true: true, on: true, yes: true, '1': true, false: false, off: false, no: false, '0': false };
/** An explicit on/off switch: true/false, on/off, yes/no, 1/0 (any case). Unset means "decide from the credentials". */
const platformSwitch = (name: string) =>
  z
    .string()
    .transform((v, ctx) => {
      const on = SWITCH_WORDS[v.trim().toLowerCase()];
      if (on === undefined) {
        ctx.addIssue({ code: 'custom', message: `${name} must be true or false (or on/off, yes/no, 1/0)` });
        return z.NEVER;
      }
      return on;
    })
    .optional();

/** NODE_ENV as operators write it: `Production`, `"production "` and `production` are all production. */
export const isProduction = (nodeEnv: string | undefined): boolean => (nodeEnv ?? '').trim().toLowerCase() === 'production';

/** A loopback host name or address, as the WHATWG URL parser leaves it (so 0x7f.1 and 2130706433 are 127.0.0.1). */
export function isLoopbackHost(hostname: string): boolean {
  const h = hostname.toLowerCase().replace(/^\[|\]$/g, '');
  if (h === 'localhost' || h.endsWith('.localhost')) return true;
  if (/^127\.\d{1,3}\.\d{1,3}\.\d{1,3}$/.test(h)) return true;
  if (h === '::1') return true;
  // IPv4-mapped IPv6 (the URL parser writes ::ffff:127.0.0.1 as ::ffff:7f00:1).
  const mapped = h.match(/^::ffff:([0-9a-f]{1,4}):[0-9a-f]{1,4}$/);
  return mapped !== null && mapped[1]!.padStart(4, '0').startsWith('7f');
}

/** Comma-separated http(s) origins, each normalised to `scheme://host[:port]`. */
const originList = z
  .string()
  .transform((v, ctx) => {
    const origins: string[] = [];
    for (const item of v.split(',').map((s) => s.trim()).filter(Boolean)) {
      let url: URL | undefined;
      try {
        url = new URL(item);
      } catch {
        url = undefined;
      }
      if (!url || (url.protocol !== 'http:' && url.protocol !== 'https:')) {
        ctx.addIssue({ code: 'custom', message: `TEAMS_ALLOWED_SERVICE_URLS: "${item.slice(0, 80)}" is not an http(s) URL such as https://playground.example.test:56150` });
        continue;
      }
      origins.push(url.origin);
    }
    return origins;
  })
  .optional();

/** postgres://… or postgresql://…, parsable. The value is never echoed: it usually holds a password. */
const databaseUrl = z
  .string()
  .trim()
  .refine(
    (v) => {
      try {
        const u = new URL(v);
        return (u.protocol === 'postgres:' || u.protocol === 'postgresql:') && u.hostname !== '';
      } catch {
        return false;
      }
    },
    { error: 'DATABASE_URL must be a PostgreSQL URL such as postgres://user:password@host:5432/database (leave it empty for the embedded store under DATA_DIR)' },
  )
  .optional();

/** Comma- or space-separated Slack user ids (U…, W…) and Teams AAD object ids (GUIDs): KNOWLEDGE_OWNERS, SALES_LEADS. */
const peopleList = (name: string) =>
  z
    .string()
    .transform((v, ctx) => {
      const ids = v.split(/[\s,]+/).filter(Boolean);
      for (const id of ids) {
        if (!/^[A-Za-z0-9][A-Za-z0-9_-]{1,63}$/.test(id)) {
          ctx.addIssue({ code: 'custom', message: `${name}: "${id.slice(0, 80)}" is not a Slack user id (U0123ABCD) or a Teams AAD object id (a GUID)` });
        }
      }
      return [...new Set(ids)];
    })
    .optional();

/** A port variable (PORT, MANAGEMENT_PORT): 0-65535, each fault named with the variable. */
const portNumber = (name: string, note?: string) =>
  z.coerce
    .number({ error: `${name} must be a port number (0-65535${note ? `; ${note}` : ''})` })
    .int({ error: `${name} must be a whole number` })
    .min(0, { error: `${name} must be 0-65535` })
    .max(65535, { error: `${name} must be 0-65535` });

/** The store's variables: the server and the CLI (history, report, export, db migrate) read them alike. */
const storeShape = {
  DATA_DIR: optionalText,
  DATABASE_URL: databaseUrl,
  RETENTION_DAYS: z.coerce
    .number({ error: 'RETENTION_DAYS must be a number of days (default 365)' })
    .int({ error: 'RETENTION_DAYS must be a whole number of days' })
    .min(1, { error: 'RETENTION_DAYS must be at least 1' })
    .max(36_500, { error: 'RETENTION_DAYS must be at most 36500 (100 years)' })
    .default(365),
  // How far back stored recommendations are rechecked when the knowledge changes (adapters/store/recheck.ts): after
  // a deploy with a new knowledge version, and by `coexist-advisor recheck` without --since.
  RECHECK_DAYS: z.coerce
    .number({ error: 'RECHECK_DAYS must be a number of days (default 90)' })
    .int({ error: 'RECHECK_DAYS must be a whole number of days' })
    .min(1, { error: 'RECHECK_DAYS must be at least 1' })
    .max(36_500, { error: 'RECHECK_DAYS must be at most 36500 (100 years)' })
    .default(90),
  STORE_WRITES: z
    .string()
    .transform((v) => v.trim().toLowerCase())
    .pipe(z.enum(['thread', 'inline'], { error: 'STORE_WRITES must be thread (the default: records are written on a thread of their own) or inline' }))
    .default('thread'),
};

const envSchema = z
  .object({
    ...storeShape,
    KNOWLEDGE_OWNERS: peopleList('KNOWLEDGE_OWNERS'),
    SALES_LEADS: peopleList('SALES_LEADS'),
    PORT: portNumber('PORT').default(3978),
    HOST: optionalText,
    // Unset (or empty): /readyz and /metrics stay on PORT, as the SPEC's process contract says; the container image and
    // .env.example set HOST_LIMITS.managementPort to keep them private.
    MANAGEMENT_PORT: z.preprocess(
      (v) => (v === '' ? undefined : v),
      portNumber('MANAGEMENT_PORT', `the image uses ${HOST_LIMITS.managementPort}`).optional(),
    ),
    MANAGEMENT_HOST: optionalText,
    LOG_LEVEL: z.enum(LOG_LEVELS, { error: `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')}` }).default('info'),
    NODE_ENV: optionalText,
    SLACK_ENABLED: platformSwitch('SLACK_ENABLED'),
    TEAMS_ENABLED: platformSwitch('TEAMS_ENABLED'),
    TEAMS_ALLOWED_SERVICE_URLS: originList,
    SLACK_BOT_TOKEN: z.string().regex(/^xox[bp]-/, { error: 'SLACK_BOT_TOKEN must be a bot token starting with xoxb-' }).optional(),
    SLACK_SIGNING_SECRET: z.string().min(8, { error: 'SLACK_SIGNING_SECRET looks too short: copy it from Basic Information → App Credentials' }).optional(),
    SLACK_APP_TOKEN: z.string().regex(/^xapp-/, { error: 'SLACK_APP_TOKEN must be an app-level token starting with xapp-' }).optional(),
    SLACK_API_URL: z
      .url({ protocol: /^https?$/, error: 'SLACK_API_URL must be an http(s) URL such as https://slack.com/api/' })
      .transform((u) => (u.endsWith('/') ? u : `${u}/`))
      .optional(),
    MICROSOFT_APP_ID: optionalText,
    MICROSOFT_APP_PASSWORD: optionalText,
    MICROSOFT_APP_TYPE: z.enum(APP_TYPES, { error: `MICROSOFT_APP_TYPE must be one of ${APP_TYPES.join(', ')}` }).optional(),
    MICROSOFT_APP_TENANT_ID: optionalText,
    KNOWLEDGE_FILE: optionalText,
    EXPERTS_CHANNEL: z
      .string()
      .trim()
      .regex(/^[CG][A-Z0-9]{6,20}$/, { error: 'EXPERTS_CHANNEL must be a Slack channel id such as C0123456789 (a public channel) or G0123456789 (a private one): in Slack, open the channel, its name → About → Channel ID' })
      .optional(),
    TEAMS_EXPERTS_CHANNEL: z
      .string()
      .trim()
      .regex(/^19:[A-Za-z0-9_-]{1,200}@thread\.(tacv2|skype)$/, {
        error: 'TEAMS_EXPERTS_CHANNEL must be a Teams channel id such as 19:abc123…@thread.tacv2: in Teams, the channel\'s … → Get link to channel, the part after /channel/ (URL-decoded)',
      })
      .optional(),
    EXPERT_HINT: z.string().trim().max(300, { error: 'EXPERT_HINT must be at most 300 characters: one sentence on how to ask a person, such as "Ask in #whatsapp-experts"' }).optional(),
    // When the owners' weekly report is sent (adapters/host/report-push.ts); checked in crossProblems (the pattern is
    // read in the zone).
    REPORT_SCHEDULE: optionalText,
    REPORT_TZ: optionalText,
    MAX_CONNECTIONS: z.coerce
      .number({ error: `MAX_CONNECTIONS must be a number of connections (default ${HOST_LIMITS.maxConnections})` })
      .int({ error: 'MAX_CONNECTIONS must be a whole number' })
      .min(16, { error: 'MAX_CONNECTIONS must be at least 16' })
      .max(1_000_000, { error: 'MAX_CONNECTIONS must be at most 1000000 (keep it under the process\'s file descriptor limit, ulimit -n)' })
      .default(HOST_LIMITS.maxConnections),
    MAX_BODY_BYTES_IN_FLIGHT: z.coerce
      .number({ error: `MAX_BODY_BYTES_IN_FLIGHT must be a number of bytes (default ${HOST_LIMITS.maxBodyBytesInFlight}, 64 MB)` })
      .int({ error: 'MAX_BODY_BYTES_IN_FLIGHT must be a whole number of bytes' })
      .min(64 * 1024, { error: 'MAX_BODY_BYTES_IN_FLIGHT must be at least 65536 (64 KB)' })
      .default(HOST_LIMITS.maxBodyBytesInFlight),
  });

/** A switch's raw value: true, false, or undefined when unset or unreadable (the schema reports the latter). */
function rawSwitch(value: string | undefined): boolean | undefined {
  return value === undefined ? undefined : SWITCH_WORDS[value.trim().toLowerCase()];
}

/** Rules across variables. Run on the raw values too, so they are reported together with the format problems. */
function crossProblems(env: Record<string, string | undefined>): string[] {
  const problems: string[] = [];
  const slackSwitch = rawSwitch(env.SLACK_ENABLED);
  const teamsSwitch = rawSwitch(env.TEAMS_ENABLED);
  const socket = Boolean(env.SLACK_APP_TOKEN);
  if (slackSwitch !== false) {
    if (env.SLACK_BOT_TOKEN && !socket && !env.SLACK_SIGNING_SECRET) {
      problems.push('SLACK_SIGNING_SECRET is required with SLACK_BOT_TOKEN for Slack over HTTP (or set SLACK_APP_TOKEN for Socket Mode)');
    }
    if (!env.SLACK_BOT_TOKEN && (env.SLACK_SIGNING_SECRET || socket)) {
      problems.push('SLACK_BOT_TOKEN is required when SLACK_SIGNING_SECRET or SLACK_APP_TOKEN is set');
    }
    if (slackSwitch === true && !env.SLACK_BOT_TOKEN) {
      problems.push('SLACK_ENABLED=true needs SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode)');
    }
  }
  if (teamsSwitch !== false) {
    if (env.MICROSOFT_APP_PASSWORD && !env.MICROSOFT_APP_ID) problems.push('MICROSOFT_APP_ID is required when MICROSOFT_APP_PASSWORD is set');
    if (env.MICROSOFT_APP_ID && !env.MICROSOFT_APP_PASSWORD && env.MICROSOFT_APP_TYPE !== 'UserAssignedMSI') {
      problems.push('MICROSOFT_APP_PASSWORD is required with MICROSOFT_APP_ID (unless MICROSOFT_APP_TYPE=UserAssignedMSI)');
    }
    // Only with a Teams credential: .env.example says SingleTenant, and a copy of it without one starts in local mode.
    if ((env.MICROSOFT_APP_ID || env.MICROSOFT_APP_PASSWORD) && env.MICROSOFT_APP_TYPE === 'SingleTenant' && !env.MICROSOFT_APP_TENANT_ID) {
      problems.push('MICROSOFT_APP_TENANT_ID is required when MICROSOFT_APP_TYPE=SingleTenant');
    }
    if (isProduction(env.NODE_ENV) && !env.MICROSOFT_APP_ID) {
      problems.push(
        'NODE_ENV=production refuses to run the Teams endpoint unauthenticated: set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD, or TEAMS_ENABLED=false for a deployment without Teams (local mode is for development only)',
      );
    }
  }
  const reportTz = timezoneProblem(env.REPORT_TZ ?? DEFAULT_REPORT_TZ);
  if (reportTz) problems.push(`REPORT_TZ: ${reportTz} (default ${DEFAULT_REPORT_TZ})`);
  const reportSchedule = scheduleProblem(env.REPORT_SCHEDULE ?? DEFAULT_REPORT_SCHEDULE, reportTz ? 'UTC' : (env.REPORT_TZ ?? DEFAULT_REPORT_TZ));
  if (reportSchedule) problems.push(`REPORT_SCHEDULE: ${reportSchedule} (default "${DEFAULT_REPORT_SCHEDULE}", Mondays at 09:00 in REPORT_TZ)`);
  if (teamsSwitch === false && (slackSwitch === false || !env.SLACK_BOT_TOKEN)) {
    problems.push('TEAMS_ENABLED=false with Slack off leaves nothing to serve: set the Slack variables, or switch Teams back on');
  }
  return problems;
}

export type Env = z.output<typeof envSchema>;

/** The owners' weekly report: Mondays at 09:00, in UTC, unless REPORT_SCHEDULE and REPORT_TZ say otherwise. */
export const DEFAULT_REPORT_SCHEDULE = '0 9 * * 1';
export const DEFAULT_REPORT_TZ = 'UTC';

export interface Config {
  port: number;
  /** The address to listen on: HOST when set; otherwise 127.0.0.1 while Teams runs unauthenticated (local mode), all interfaces when not. */
  host: string | undefined;
  /** True when HOST was set by the operator (local mode on a non-loopback HOST is then deliberate, and logged). */
  hostChosen: boolean;
  /**
   * GET /healthz, /readyz and /metrics: a port of their own (MANAGEMENT_PORT), on loopback unless MANAGEMENT_HOST says
   * otherwise. `shared`: MANAGEMENT_PORT is unset (the SPEC's default: everything on PORT) or equal to PORT (not 0),
   * so they are served on the public port.
   */
  management: { port: number; host: string; shared: boolean };
  logLevel: Env['LOG_LEVEL'];
  production: boolean;
  slack:
    | { mode: 'off' }
    | { mode: 'http'; botToken: string; signingSecret: string; apiUrl?: string }
    | { mode: 'socket'; botToken: string; appToken: string; signingSecret?: string; apiUrl?: string };
  teams:
    | { auth: 'off' }
    /** Unauthenticated: replies only go to a loopback serviceUrl or one of `allowedServiceUrls` (origins). */
    | { auth: 'local'; allowedServiceUrls: string[] }
    | { auth: 'bot-framework'; appId: string; appPassword?: string; appType: (typeof APP_TYPES)[number]; tenantId?: string };
  knowledgeFile?: string;
  /** EXPERT_HINT: how to ask a person, shown when a question is declined (unset: a neutral sentence). */
  expertHint?: string;
  /**
   * *Ask an expert*: EXPERTS_CHANNEL (a Slack channel id) and TEAMS_EXPERTS_CHANNEL (a Teams channel conversation id).
   * Unset on a platform: no *Ask an expert* button there.
   */
  experts: { slack?: string; teams?: string };
  store: StoreConfig;
  /** Slack user ids and Teams AAD object ids who see the knowledge owner's report. */
  knowledgeOwners: string[];
  /** Slack user ids and Teams AAD object ids who see every recommendation of their own workspace or tenant. */
  salesLeads: string[];
  /** The HTTP server's own caps (adapters/server-limits.ts has the rest and why). */
  http: { maxConnections: number; maxBodyBytesInFlight: number };
  /** When the owners' weekly report is sent to KNOWLEDGE_OWNERS: REPORT_SCHEDULE (cron, 5 fields) in REPORT_TZ (IANA). */
  report: { schedule: string; timezone: string };
}

export interface StoreConfig {
  /** Where the data lives: the SQLite file under DATA_DIR (default ./data), or PostgreSQL with DATABASE_URL. */
  target: { kind: 'sqlite'; file: string } | { kind: 'postgres'; url: string };
  retentionDays: number;
  /** RECHECK_DAYS: how far back recommendations are rechecked when the knowledge changes (default 90). */
  recheckDays: number;
  /** Where records are written: a thread of their own (default), or the main thread. */
  writes: 'thread' | 'inline';
}

export { STORE_FILE_NAME };

function storeConfig(env: { DATA_DIR?: string | undefined; DATABASE_URL?: string | undefined; RETENTION_DAYS: number; RECHECK_DAYS: number; STORE_WRITES: 'thread' | 'inline' }): StoreConfig {
  return {
    target: env.DATABASE_URL ? { kind: 'postgres', url: env.DATABASE_URL } : { kind: 'sqlite', file: path.resolve(env.DATA_DIR ?? 'data', STORE_FILE_NAME) },
    retentionDays: env.RETENTION_DAYS,
    recheckDays: env.RECHECK_DAYS,
    writes: env.STORE_WRITES,
  };
}

/** Only the store's variables (the CLI's store commands): every problem at once, like loadConfig. */
export function loadStoreConfig(environment: NodeJS.ProcessEnv): { ok: true; store: StoreConfig } | { ok: false; problems: string[] } {
  const cleaned = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = z.object(storeShape).safeParse(cleaned);
  if (!parsed.success) return { ok: false, problems: [...new Set(parsed.error.issues.map((i) => i.message))] };
  return { ok: true, store: storeConfig(parsed.data) };
}

export type ConfigResult = { ok: true; config: Config } | { ok: false; problems: string[] };

export function loadConfig(environment: NodeJS.ProcessEnv): ConfigResult {
  const cleaned = Object.fromEntries(Object.entries(environment).filter(([, v]) => v !== undefined && v.trim() !== ''));
  const parsed = envSchema.safeParse(cleaned);
  const problems = [...(parsed.success ? [] : parsed.error.issues.map((i) => i.message)), ...crossProblems(cleaned)];
  if (!parsed.success || problems.length > 0) return { ok: false, problems: [...new Set(problems)] };
  const env = parsed.data;
  const apiUrl = env.SLACK_API_URL ? { apiUrl: env.SLACK_API_URL } : {};
  const slack: Config['slack'] = env.SLACK_ENABLED === false || !env.SLACK_BOT_TOKEN
    ? { mode: 'off' }
    : env.SLACK_APP_TOKEN
      ? { mode: 'socket', botToken: env.SLACK_BOT_TOKEN, appToken: env.SLACK_APP_TOKEN, ...(env.SLACK_SIGNING_SECRET ? { signingSecret: env.SLACK_SIGNING_SECRET } : {}), ...apiUrl }
      : { mode: 'http', botToken: env.SLACK_BOT_TOKEN, signingSecret: env.SLACK_SIGNING_SECRET!, ...apiUrl };
  const teams: Config['teams'] = env.TEAMS_ENABLED === false
    ? { auth: 'off' }
    : env.MICROSOFT_APP_ID
    ? {
        auth: 'bot-framework',
        appId: env.MICROSOFT_APP_ID,
        ...(env.MICROSOFT_APP_PASSWORD ? { appPassword: env.MICROSOFT_APP_PASSWORD } : {}),
        appType: env.MICROSOFT_APP_TYPE ?? 'MultiTenant',
        ...(env.MICROSOFT_APP_TENANT_ID ? { tenantId: env.MICROSOFT_APP_TENANT_ID } : {}),
      }
    : { auth: 'local', allowedServiceUrls: env.TEAMS_ALLOWED_SERVICE_URLS ?? [] };
  return {
    ok: true,
    config: {
      port: env.PORT,
      // Local mode answers anyone who can reach it: only this machine, unless the operator says otherwise.
      host: env.HOST ?? (teams.auth === 'local' ? '127.0.0.1' : undefined),
      hostChosen: env.HOST !== undefined,
      management: {
        port: env.MANAGEMENT_PORT ?? env.PORT,
        host: env.MANAGEMENT_HOST ?? '127.0.0.1',
        shared: env.MANAGEMENT_PORT === undefined || (env.PORT !== 0 && env.MANAGEMENT_PORT === env.PORT),
      },
      logLevel: env.LOG_LEVEL,
      production: isProduction(env.NODE_ENV),
      slack,
      teams,
      ...(env.KNOWLEDGE_FILE ? { knowledgeFile: env.KNOWLEDGE_FILE } : {}),
      ...(env.EXPERT_HINT ? { expertHint: env.EXPERT_HINT } : {}),
      experts: { ...(env.EXPERTS_CHANNEL ? { slack: env.EXPERTS_CHANNEL } : {}), ...(env.TEAMS_EXPERTS_CHANNEL ? { teams: env.TEAMS_EXPERTS_CHANNEL } : {}) },
      store: storeConfig(env),
      knowledgeOwners: env.KNOWLEDGE_OWNERS ?? [],
      salesLeads: env.SALES_LEADS ?? [],
      http: { maxConnections: env.MAX_CONNECTIONS, maxBodyBytesInFlight: env.MAX_BODY_BYTES_IN_FLIGHT },
      report: { schedule: env.REPORT_SCHEDULE ?? DEFAULT_REPORT_SCHEDULE, timezone: env.REPORT_TZ ?? DEFAULT_REPORT_TZ },
    },
  };
}

/** What is on and how to turn the rest on: logged at start. Never includes a secret. */
export function describeConfig(config: Config): string[] {
  const lines: string[] = [];
  if (config.slack.mode === 'off') lines.push('Slack is off: set SLACK_BOT_TOKEN and SLACK_SIGNING_SECRET (HTTP) or SLACK_BOT_TOKEN and SLACK_APP_TOKEN (Socket Mode) to turn it on.');
  else if (config.slack.mode === 'http') lines.push('Slack is on over HTTP at POST /slack/events.');
  else lines.push('Slack is on in Socket Mode (no public URL needed).');
  if (config.teams.auth === 'off') lines.push('Teams is off (TEAMS_ENABLED=false): POST /api/messages answers 404.');
  else if (config.teams.auth === 'local') {
    const allowed = config.teams.allowedServiceUrls.length > 0 ? ` and ${config.teams.allowedServiceUrls.join(', ')}` : '';
    lines.push(
      `Teams runs in LOCAL MODE at POST /api/messages: unauthenticated, for Microsoft 365 Agents Playground or similar; replies go only to serviceUrls on this machine${allowed}. Set MICROSOFT_APP_ID and MICROSOFT_APP_PASSWORD to require Bot Framework auth, or TEAMS_ENABLED=false to turn Teams off.`,
    );
  } else lines.push(`Teams is on at POST /api/messages with Bot Framework auth (${config.teams.appType}).`);
  const leads = config.salesLeads.length;
  lines.push(
    `History: each person sees their own recommendations and those made in channels they are in (Slack) or in the conversation they ask from (Teams), within their workspace or tenant; ${leads === 0 ? 'no one is in SALES_LEADS (who would see all of their workspace or tenant)' : `${leads} SALES_LEADS see all of their own workspace or tenant`}.`,
  );
  lines.push(
    config.knowledgeOwners.length === 0
      ? 'No weekly report is sent: KNOWLEDGE_OWNERS is empty.'
      : `The knowledge owner's weekly report is sent to ${config.knowledgeOwners.length} KNOWLEDGE_OWNERS (Slack DM, Teams chat) at "${config.report.schedule}" (REPORT_SCHEDULE) in ${config.report.timezone} (REPORT_TZ).`,
  );
  lines.push(
    config.expertHint
      ? `A question the advisor does not cover is declined with: "${config.expertHint}" (EXPERT_HINT).`
      : 'A question the advisor does not cover is declined with a neutral next step: set EXPERT_HINT (e.g. "Ask in #whatsapp-experts") to name where to ask a person.',
  );
  const experts = [config.experts.slack ? `Slack channel ${config.experts.slack} (EXPERTS_CHANNEL)` : '', config.experts.teams ? `Teams channel ${config.experts.teams} (TEAMS_EXPERTS_CHANNEL)` : ''].filter(Boolean);
  lines.push(
    experts.length > 0
      ? `Ask an expert: unsure and declined answers offer it; questions go to the ${experts.join(' and the ')}, and the first reply in the thread goes to the asker.`
      : 'Ask an expert is off: set EXPERTS_CHANNEL (a Slack channel id) and/or TEAMS_EXPERTS_CHANNEL (a Teams channel id) to send unanswered questions to people who know.',
  );
  return lines;
}
