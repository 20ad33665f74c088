import { DAY_MS, HOUR_MS, MINUTE_MS } from '../src/time.ts';

// What our buttons carry, on both platforms, and how long a click is remembered: one home for each size, id pattern
// and TTL. Slack's button values (slack/values.ts) and Teams' Action.Submit data (teams/submits.ts) are written and
// read against these; a value longer or of another shape is an old or a forged button, and is refused.
// A leaf: it imports nothing of the adapters, so the store, both faces and the CLI can all use it.

export { DAY_MS, MINUTE_MS };

export const CARRIED = {
  /** Ids we put into buttons (a question id, a recommendation id); ours are 8–16 characters. */
  idChars: 64,
  /** A topic id. */
  topicChars: 100,
  /** The question's text in feedback and correction buttons: enough to find the closest topics and to learn from. */
  questionChars: 300,
  /**
   * A stored question, whole: questions are kept to this length, and the report's Accept / Dismiss carry one whole
   * (the correction group is found by it). It fits Slack's 2,000-character button value.
   */
  storedQuestionChars: 500,
  /** A question shown in the report or the Not helpful reply (escaped, so it may grow when drawn). */
  shownQuestionChars: 300,
  /** The question as typed, shown back with a reply ("You asked: …") on Slack and Teams. */
  echoedQuestionChars: 500,
  /** An expert's answer, as stored and as relayed to the asker on Slack and Teams (a section's worth of text). */
  expertAnswerChars: 3000,
} as const;

/** A recommendation's shareable id as a button carries it (newRecommendationId() makes 8 of these characters). */
export const RECOMMENDATION_ID = /^[0-9A-Z]{4,16}$/;
/** A topic id of the right shape (a review may name a topic removed from the knowledge since). */
export const TOPIC_ID_SHAPE = /^[a-z0-9][a-z0-9-]*$/;
/** A Slack message ts (a thread to answer in), as a button may carry it. */
export const THREAD_TS = /^\d{1,20}\.\d{1,10}$/;

/** How long a click, a delivery or a submit is remembered (claimed in the store, across replicas), so it acts once. */
export const REMEMBERED = {
  /** The same person picking the same topic for the same question again: one correction (a double click, a second look). */
  correctionMs: 10 * MINUTE_MS,
  /** "Not helpful" on the same answer by the same person: the topics are offered once. */
  notHelpfulOfferMs: 10 * MINUTE_MS,
  /** Slack retries an event up to three times over about five minutes. */
  slackEventMs: 15 * MINUTE_MS,
  /** A modal is submitted twice by a double click or a redelivery, within seconds. */
  slackViewMs: 10 * MINUTE_MS,
  /** The same person sharing the same thing to the same place within a minute is a double click. */
  shareMs: MINUTE_MS,
  /** A Teams activity's id: Teams redelivers an activity it thinks went unanswered, with the same id. */
  teamsRedeliveryMs: 10 * MINUTE_MS,
  /**
   * A Teams form's person, conversation, message and values: a double click on a form that could not be replaced sends
   * two activities with the same content within a second or two. The same values again after this long are a
   * deliberate second recommendation.
   */
  teamsDoubleClickMs: MINUTE_MS,
  /** A Slack workflow step's run id: Slack may deliver the same function_executed event again; one run posts once. */
  slackWorkflowRunMs: HOUR_MS,
} as const;

/** An expert question's id as the expert-side buttons carry it (newExpertQuestionId(): 16 base-32 characters). */
export const EXPERT_QUESTION_ID = /^[0-9A-Z]{16}$/;
