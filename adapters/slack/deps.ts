import type { Logger } from 'pino';
import { HISTORY_LIMIT, presentHistory, presentReport, reportNotForYou, reportSince, reportUnavailable, type HistoryReply, type Knowledge, type Reply, type ReportReply } from '../../src/index.ts';
import { questionRecord, type QuestionRecord } from '../store/records.ts';
import type { StoreService, WhenUnsure } from '../store/service.ts';
import type { Interactions } from './interactions.ts';
import type { SlackWebApiPolicy } from './limits.ts';

/** What every Slack listener gets: the facts, a logger, the interaction log, and the store. No platform state. */
export interface SlackDeps {
  knowledge: Knowledge;
  logger: Logger;
  interactions: Interactions;
  webApi: SlackWebApiPolicy;
  /**
   * True the first time `key` is claimed, by any replica sharing the store, until `ttlMs` have passed: a
   * redelivered event, a form submitted twice or a double-clicked button does its work once (see dedupe.ts).
   * Called after the ack, never on the slash-command path. `whenUnsure`: what to do when the store cannot settle it in
   * time (StoreService.claim): `act` where a duplicate is better than nothing, `skip` where nothing is better.
   */
  claim(key: string, ttlMs: number, whenUnsure: WhenUnsure): Promise<boolean>;
  /** The store, for records and history; absent when the face runs without one (benchmarks). */
  store?: StoreService;
  /** KNOWLEDGE_OWNERS, lowercased: who sees the report in App Home and reviews corrections. */
  owners: ReadonlySet<string>;
}

/** Whether this Slack user is one of the knowledge owners. */
export const isOwner = (deps: SlackDeps, userId: string | undefined): boolean => userId !== undefined && deps.owners.has(userId.toLowerCase());

/** The Slack error code of a failed Web API call (`not_in_channel`, `ratelimited`, ...), or a short description. */
export function slackError(err: unknown): string {
  const e = err as { data?: { error?: string }; code?: string; message?: string };
  return e?.data?.error ?? e?.code ?? e?.message ?? 'unknown_error';
}

/**
 * The record of the question a reply answers, made before the reply is drawn (its id goes into the feedback
 * buttons); undefined without a store or for replies that answer no question. Hand it to `recordQuestion` after the
 * reply has gone (the ack, the post): the store is never on the way to the user's answer.
 */
export function questionFor(deps: SlackDeps, reply: Reply, userId: string | undefined): QuestionRecord | undefined {
  return deps.store && userId ? questionRecord(reply, 'slack', userId) : undefined;
}

/** Hands a question to the recorder (fire and forget: never waits, never throws). */
export function recordQuestion(deps: SlackDeps, question: QuestionRecord | undefined): void {
  if (question) deps.store?.recorder.question(question);
}

/**
 * What a reply to a recorded question carries: its id, for the feedback buttons of an answer, and so that picking
 * one of the topics offered (closest topics, a question not understood) is recorded as a correction.
 */
export const feedbackFor = (question: QuestionRecord | undefined): { feedback?: { question: string } } => (question ? { feedback: { question: question.id } } : {});

/** `history [customer]`: the recent recommendations, read from the store within its deadline (or why not). */
export async function historyReply(deps: SlackDeps, customer: string | undefined): Promise<HistoryReply> {
  const past = deps.store ? await deps.store.history({ ...(customer ? { customer } : {}), limit: HISTORY_LIMIT }) : undefined;
  return presentHistory(past, customer);
}

/** How many of your own recommendations App Home lists. */
export const HOME_RECENT = 5;

/** Your recent recommendations, for App Home. */
export async function recentFor(deps: SlackDeps, userId: string): Promise<HistoryReply> {
  const past = deps.store ? await deps.store.history({ userId, limit: HOME_RECENT }) : undefined;
  return { ...presentHistory(past), title: 'Your recent recommendations', empty: 'None yet.' };
}

/** `report`: this week's report for a knowledge owner; for anyone else, why not. */
export async function reportReply(deps: SlackDeps, userId: string | undefined): Promise<ReportReply> {
  if (!isOwner(deps, userId)) return reportNotForYou();
  const now = new Date();
  const report = deps.store ? await deps.store.report(reportSince(now)) : undefined;
  return report ? presentReport(report, deps.knowledge, now) : reportUnavailable();
}
