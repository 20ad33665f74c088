import type { Logger } from 'pino';
import type { webApi } from '@slack/bolt';
import {
  historyScope,
  ownScope,
  presentHistory,
  type HistoryReply,
  type HistoryScope,
  type Knowledge,
  type PresentOptions,
  type Reply,
  type ReportReply,
} from '../../src/index.ts';
import { fromStore, isKnowledgeOwner, questionToRecord, recordQuestion as recordQuestionIn, reportFor, type Asker } from '../store/answers.ts';
import type { QuestionRecord } from '../store/records.ts';
import type { ExpertDesk } from '../store/experts.ts';
import type { StoreService, WhenUnsure } from '../store/service.ts';
import type { Verifications } from '../store/verifications.ts';
import type { Interactions } from './interactions.ts';
import type { SlackWebApiPolicy } from './limits.ts';
import type { ChannelMemberships } from './memberships.ts';

/** What every Slack listener gets: the facts, a logger, the interaction log, and the store. No platform state. */
export interface SlackDeps {
  knowledge: Knowledge;
  /** What the operator configured about replies (EXPERT_HINT), handed to the router. */
  present?: PresentOptions;
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
  /** SALES_LEADS, lowercased: who sees every recommendation of their own workspace. */
  leads: ReadonlySet<string>;
  /** Which channels a user is in (asked of Slack, cached briefly): the history shows what was made there. */
  memberships?: ChannelMemberships;
  /** *Ask an expert* (adapters/store/experts.ts): EXPERTS_CHANNEL, the Notifier, the store. */
  experts?: ExpertDesk;
  /** The stored verifications in memory: Still correct shows at once (adapters/store/verifications.ts). */
  verifications?: Verifications;
}

/** Who is asking: the Slack user, and the workspace (team id) the request was made in, as Slack signed it. */
export interface SlackAsker {
  user: string;
  team: string | undefined;
}

/**
 * The workspace a request was made in: `team_id` of a command or an event envelope, `team.id` of an interaction
 * (else its user's team). On Enterprise Grid each workspace of the organisation is its own scope.
 */
export function teamOf(body: unknown): string | undefined {
  const b = (body ?? {}) as { team_id?: unknown; team?: { id?: unknown } | null; user?: { team_id?: unknown } | null; view?: { team_id?: unknown } | null };
  for (const v of [b.team_id, b.team?.id, b.user?.team_id, b.view?.team_id]) if (typeof v === 'string' && v !== '') return v;
  return undefined;
}

/**
 * What `asker` may see (src/present/scope.ts): their own, those made in channels they are in (asked of Slack within
 * a deadline; if Slack cannot say, their own only), or, for SALES_LEADS, all of their workspace.
 */
export async function scopeFor(deps: SlackDeps, client: Pick<webApi.WebClient, 'users'>, asker: SlackAsker): Promise<HistoryScope> {
  const lead = deps.leads.has(asker.user.toLowerCase());
  const channels = asker.team && !lead && deps.memberships ? await deps.memberships.of(client, asker.team, asker.user) : undefined;
  return historyScope({ platform: 'slack', workspace: asker.team, userId: asker.user, conversations: channels ?? [], conversationsKnown: lead || channels !== undefined, lead });
}

/** Whether this Slack user is one of the knowledge owners. */
export const isOwner = (deps: SlackDeps, userId: string | undefined): boolean => isKnowledgeOwner(deps.owners, userId);

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
  return questionToRecord(deps.store, reply, { platform: 'slack', userId });
}

/** Hands a question to the recorder (fire and forget: never waits, never throws). */
export function recordQuestion(deps: SlackDeps, question: QuestionRecord | undefined): void {
  recordQuestionIn(deps.store, question);
}

/**
 * What a reply to a recorded question carries: its id, for the feedback buttons of an answer, and so that picking
 * one of the topics offered (closest topics, a question not understood) is recorded as a correction.
 */
export const feedbackFor = (question: QuestionRecord | undefined): { feedback?: { question: string } } => (question ? { feedback: { question: question.id } } : {});

/** Who asks, for the store-backed answers (adapters/store/answers.ts): the owner check, and the Slack scope rule. */
export const askerOf = (deps: SlackDeps, client: Pick<webApi.WebClient, 'users'>, asker: SlackAsker): Asker => ({
  owner: isOwner(deps, asker.user),
  scope: () => scopeFor(deps, client, asker),
});

/** What was typed, answered: the router's reply, completed from the store when it is history or the report. */
export async function answerTyped(deps: SlackDeps, client: Pick<webApi.WebClient, 'users'>, asker: SlackAsker, reply: Reply): Promise<Reply> {
  return fromStore(deps.store, deps.knowledge, reply, askerOf(deps, client, asker));
}

/** How many of your own recommendations App Home lists. */
export const HOME_RECENT = 5;

/** Your own recent recommendations in this workspace (and yours from before workspaces were kept), for App Home. */
export async function recentFor(deps: SlackDeps, asker: SlackAsker): Promise<HistoryReply> {
  const scope = ownScope({ platform: 'slack', workspace: asker.team, userId: asker.user });
  const past = deps.store ? await deps.store.history({ scope, limit: HOME_RECENT }) : undefined;
  return { ...presentHistory(past), title: 'Your recent recommendations', empty: 'None yet.' };
}

/** `report`: this week's report for a knowledge owner; for anyone else, why not. */
export const reportReply = (deps: SlackDeps, userId: string | undefined): Promise<ReportReply> => reportFor(deps.store, deps.knowledge, { owner: isOwner(deps, userId) });
