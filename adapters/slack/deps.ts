import type { Logger } from 'pino';
import type { Knowledge } from '../../src/index.ts';
import type { RecentKeys } from './dedupe.ts';
import type { Interactions } from './interactions.ts';
import type { SlackWebApiPolicy } from './limits.ts';

/** What every Slack listener gets: the facts, a logger and the interaction log. No platform state, no storage. */
export interface SlackDeps {
  knowledge: Knowledge;
  logger: Logger;
  interactions: Interactions;
  webApi: SlackWebApiPolicy;
  /** Work already done for a delivery (see dedupe.ts). */
  recent: RecentKeys;
}

/** The Slack error code of a failed Web API call (`not_in_channel`, `ratelimited`, ...), or a short description. */
export function slackError(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string; message?: string };
  return e?.data?.error ?? e?.code ?? e?.message ?? 'unknown_error';
}
