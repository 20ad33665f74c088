import type { Kysely, Selectable } from 'kysely';
import { CARRIED } from '../carried.ts';
import { MAX_REF_CHARS, cap, newQuestionId, type Platform } from './records.ts';
import type { Database, ExpertQuestionsTable } from './schema.ts';

// *Ask an expert* in the store: the question as sent, where it was posted, and the first expert reply. One row per
// question; the first reply is taken by an update that only succeeds while none is recorded, so with several
// replicas (or an event Slack delivers twice) exactly one of them relays it.

/** An expert's reply is kept to this length (it is relayed whole up to the platform's limits, stored capped). */
export const MAX_EXPERT_ANSWER_CHARS = CARRIED.expertAnswerChars;
/** An error, as kept for the report. */
const MAX_ERROR_CHARS = 500;

export const newExpertQuestionId = (now = Date.now()): string => newQuestionId(now);

export interface ExpertQuestionRecord {
  id: string;
  platform: Exclude<Platform, 'cli'>;
  userId: string;
  workspace: string | null;
  askerName: string | null;
  /** As typed; stored capped at CARRIED.storedQuestionChars. */
  question: string;
  answeredTopic: string | null;
  topics: string[];
  at: number;
}

export type ExpertQuestionStatus = 'pending' | 'posted' | 'failed';

export interface StoredExpertQuestion extends ExpertQuestionRecord {
  status: ExpertQuestionStatus;
  error: string | null;
  postChannel: string | null;
  postRef: string | null;
  answeredAt: number | null;
  answeredBy: string | null;
  answer: string | null;
  relayError: string | null;
  newTopicAt: number | null;
}

/** The report's lines: asked and not answered (posted, or failed to post), and those marked as needing a new topic. */
export interface ExpertReportLines {
  open: { question: string; askedAt: number; status: ExpertQuestionStatus; error: string | null }[];
  newTopics: { question: string; markedAt: number; answer: string | null }[];
}

const toStored = (r: Selectable<ExpertQuestionsTable>): StoredExpertQuestion => ({
  id: r.id,
  platform: r.platform as StoredExpertQuestion['platform'],
  userId: r.user_id,
  workspace: r.workspace,
  askerName: r.asker_name,
  question: r.question,
  answeredTopic: r.answered_topic,
  topics: JSON.parse(r.topics) as string[],
  at: Number(r.asked_at),
  status: r.status as ExpertQuestionStatus,
  error: r.error,
  postChannel: r.post_channel,
  postRef: r.post_ref,
  answeredAt: r.answered_at === null ? null : Number(r.answered_at),
  answeredBy: r.answered_by,
  answer: r.answer,
  relayError: r.relay_error,
  newTopicAt: r.new_topic_at === null ? null : Number(r.new_topic_at),
});

const ref = (v: string | null | undefined) => (v == null || v === '' ? null : cap(v, MAX_REF_CHARS));

export class ExpertQuestions {
  constructor(private readonly db: Kysely<Database>) {}

  async add(q: ExpertQuestionRecord): Promise<void> {
    await this.db
      .insertInto('expert_questions')
      .values({
        id: q.id,
        asked_at: q.at,
        platform: q.platform,
        user_id: cap(q.userId, MAX_REF_CHARS),
        workspace: ref(q.workspace),
        asker_name: q.askerName ? cap(q.askerName, MAX_REF_CHARS) : null,
        question: cap(q.question, CARRIED.storedQuestionChars),
        answered_topic: ref(q.answeredTopic),
        topics: JSON.stringify(q.topics.slice(0, 10)),
        status: 'pending',
        error: null,
        post_channel: null,
        post_ref: null,
        answered_at: null,
        answered_by: null,
        answer: null,
        relay_error: null,
        new_topic_at: null,
        new_topic_by: null,
      })
      .onConflict((oc) => oc.column('id').doNothing())
      .execute();
  }

  async posted(id: string, outcome: { channelId: string; ref: string } | { error: string }): Promise<void> {
    await this.db
      .updateTable('expert_questions')
      .set('error' in outcome ? { status: 'failed', error: cap(outcome.error, MAX_ERROR_CHARS) } : { status: 'posted', error: null, post_channel: ref(outcome.channelId), post_ref: ref(outcome.ref) })
      .where('id', '=', id)
      .execute();
  }

  async byId(id: string): Promise<StoredExpertQuestion | undefined> {
    const row = await this.db.selectFrom('expert_questions').selectAll().where('id', '=', id).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /** The question posted as `postRef` in `channelId` (a thread's parent). */
  async byPost(channelId: string, postRef: string): Promise<StoredExpertQuestion | undefined> {
    const row = await this.db.selectFrom('expert_questions').selectAll().where('post_channel', '=', channelId).where('post_ref', '=', postRef).executeTakeFirst();
    return row ? toStored(row) : undefined;
  }

  /** Records the first expert reply: true for exactly one caller per question, whichever replica it runs on. */
  async answer(id: string, a: { by: string; text: string; at: number }): Promise<boolean> {
    const row = await this.db
      .updateTable('expert_questions')
      .set({ answered_at: a.at, answered_by: cap(a.by, MAX_REF_CHARS), answer: cap(a.text, MAX_EXPERT_ANSWER_CHARS) })
      .where('id', '=', id)
      .where('answered_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  async relayFailed(id: string, error: string): Promise<void> {
    await this.db.updateTable('expert_questions').set({ relay_error: cap(error, MAX_ERROR_CHARS) }).where('id', '=', id).execute();
  }

  /** Marks the question as needing a new topic: true the first time. */
  async markNewTopic(id: string, by: string, at: number): Promise<boolean> {
    const row = await this.db
      .updateTable('expert_questions')
      .set({ new_topic_at: at, new_topic_by: cap(by, MAX_REF_CHARS) })
      .where('id', '=', id)
      .where('new_topic_at', 'is', null)
      .returning('id')
      .executeTakeFirst();
    return row !== undefined;
  }

  /** The report's lines since `since`, oldest first: at most `max` of each. */
  async report(since: number, max: number): Promise<ExpertReportLines> {
    const open = await this.db
      .selectFrom('expert_questions')
      .select(['question', 'asked_at', 'status', 'error', 'relay_error'])
      .where('asked_at', '>=', since)
      .where((eb) => eb.or([eb('answered_at', 'is', null), eb('relay_error', 'is not', null)]))
      .orderBy('asked_at')
      .orderBy('id')
      .limit(max)
      .execute();
    const newTopics = await this.db
      .selectFrom('expert_questions')
      .select(['question', 'new_topic_at', 'answer'])
      .where('new_topic_at', '>=', since)
      .orderBy('new_topic_at')
      .orderBy('id')
      .limit(max)
      .execute();
    return {
      open: open.map((r) => ({
        question: r.question,
        askedAt: Number(r.asked_at),
        status: r.status as ExpertQuestionStatus,
        // A reply that could not be relayed: the asker still waits.
        error: r.relay_error ? `answered, but not delivered to the asker: ${r.relay_error}` : r.error,
      })),
      newTopics: newTopics.map((r) => ({ question: r.question, markedAt: Number(r.new_topic_at), answer: r.answer })),
    };
  }
}
