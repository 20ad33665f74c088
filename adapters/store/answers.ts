import {
  HISTORY_LIMIT,
  presentHistory,
  presentReport,
  reportNotForYou,
  reportSince,
  reportUnavailable,
  type HistoryReply,
  type HistoryScope,
  type Knowledge,
  type Reply,
  type ReportReply,
} from '../../src/index.ts';
import type { StoreService } from './service.ts';

// The commands whose answer is read from the store (history, report), answered once for every surface: a surface
// routes what was typed (src/present/router.ts), and when the reply is one of these it asks here, after its ack,
// saying who asks. A new store-backed command is a reply kind in the core and a case here; no surface changes.

/** Reply kinds the router can only announce: their content is read from the store. */
export const STORE_BACKED: ReadonlySet<Reply['kind']> = new Set<Reply['kind']>(['history', 'report']);

/** Whether `reply` must be completed from the store (after the platform's ack: the read may take a moment). */
export const fromStoreNeeded = (reply: Reply): boolean => STORE_BACKED.has(reply.kind);

/** Who asks, as the store-backed answers need it; each surface says it its own way. */
export interface Asker {
  /** One of KNOWLEDGE_OWNERS: may read the report. */
  owner: boolean;
  /**
   * What they may see (src/present/scope.ts); asked only for the history (Slack asks for channel memberships).
   * Undefined when the asker cannot be told apart (a Teams activity naming no sender): the history is not read.
   */
  scope(): Promise<HistoryScope | undefined>;
}

/** `history [customer]`: the recent recommendations the asker may see, within the store's deadline (or why not). */
export async function historyFor(store: StoreService | undefined, asker: Asker, customer: string | undefined): Promise<HistoryReply> {
  if (!store) return presentHistory(undefined, customer);
  const scope = await asker.scope();
  if (!scope) return presentHistory(undefined, customer);
  const past = await store.history({ scope, ...(customer ? { customer } : {}), limit: HISTORY_LIMIT });
  return presentHistory(past, customer, scope);
}

/** `report`: this week's report for a knowledge owner; for anyone else, why not. */
export async function reportFor(store: StoreService | undefined, knowledge: Knowledge, asker: Pick<Asker, 'owner'>, now = new Date()): Promise<ReportReply> {
  if (!asker.owner) return reportNotForYou();
  const report = store ? await store.report(reportSince(now)) : undefined;
  return report ? presentReport(report, knowledge, now) : reportUnavailable();
}

/** The router's reply, completed from the store when it is a store-backed one; any other reply as it is. */
export async function fromStore(store: StoreService | undefined, knowledge: Knowledge, reply: Reply, asker: Asker): Promise<Reply> {
  switch (reply.kind) {
    case 'history':
      return historyFor(store, asker, reply.customer);
    case 'report':
      return reportFor(store, knowledge, asker);
    default:
      return reply;
  }
}
