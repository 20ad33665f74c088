import type { MessagingExtensionAction, MessagingExtensionActionResponse, MessagingExtensionQuery, MessagingExtensionResponse, TurnContext } from 'botbuilder';
import { MAX_QUESTION_CHARS, actionReply, answer, presentAnswer, presentTopic, usefulTopics, withVerification, type AnswerReply } from '../../src/index.ts';
import { questionToRecord, recordQuestion } from '../store/answers.ts';
import { SUBMIT } from './cards/common.ts';
import { EXTENSION_COMMANDS, MAX_RESULTS, dialogMessage, dialogResponse, messageText, searchResponse, searchResult } from './cards/extension.ts';
import { teamsCard } from './cards/reply.ts';
import { recordCorrection, recordFeedback } from './store-replies.ts';
import { submitKind } from './submit-verbs.ts';
import { correctionClick, feedbackClick, readCorrection, readFeedback, readTopicClick } from './submits.ts';
import { isObject, note, userOf, type BotDeps } from './turn.ts';
import { LABELS } from '../../src/index.ts';

// The message extension: search (composeExtension/query), and the action on messages with its dialog
// (composeExtension/fetchTask and submitAction).

/**
 * Search: answer cards to insert, best first. An empty query (or Teams' initial run) lists the most useful topics;
 * an off-topic query lists the topics it might be about.
 */
export function searchQuery(deps: BotDeps, context: TurnContext, query: MessagingExtensionQuery): MessagingExtensionResponse {
  const kb = deps.knowledge;
  note(context, { kind: 'question' });
  if (query.commandId !== EXTENSION_COMMANDS.search) {
    deps.log.warn({ commandId: String(query.commandId).slice(0, 50) }, 'unknown message extension command');
    return searchResponse([]);
  }
  const param = query.parameters?.find((p) => p.name === 'query');
  const typed = typeof param?.value === 'string' ? param.value.trim().slice(0, 500) : '';
  let replies: AnswerReply[];
  if (!typed) {
    replies = usefulTopics(kb).topics.flatMap((t) => presentTopic(kb, t) ?? []);
  } else {
    const result = answer(typed, kb);
    const best = presentAnswer(result, typed, kb, deps.present);
    const others = result.alternatives.filter((t) => t !== result.topic).flatMap((t) => presentTopic(kb, t, typed) ?? []);
    // A list to pick from already: an unsure match lists its best guess first, as an answer card like the others.
    const first = best.kind === 'answer' ? [best] : best.kind === 'clarify' ? [presentTopic(kb, best.topic, typed)].filter((r): r is AnswerReply => r !== undefined) : [];
    replies = [...first, ...others];
  }
  const skip = Math.max(0, Math.floor(Number(query.queryOptions?.skip) || 0));
  const count = Math.min(MAX_RESULTS, Math.max(1, Math.floor(Number(query.queryOptions?.count) || MAX_RESULTS)));
  // The verification dates and the "may be out of date" mark, as in a chat (src/present/verification.ts).
  const shown = replies.slice(skip, skip + count).map((r) => withVerification(r, kb, deps.present.verification) as AnswerReply);
  return searchResponse(shown.map(searchResult));
}

/** The action on messages, opened (fetchTask): the selected message's text answered in a dialog. */
export function fetchTask(deps: BotDeps, context: TurnContext, action: MessagingExtensionAction): MessagingExtensionActionResponse {
  note(context, { kind: 'question' });
  return askAboutMessage(deps, context, action);
}

/**
 * A submit from that dialog (submitAction): its topic and compare buttons open their card in the dialog, its
 * feedback buttons are recorded (Not helpful shows the closest topics in the dialog, and a pick there shows its
 * answer and is recorded as a correction); without a button (a client that skips fetchTask) the selected message is
 * answered.
 */
export function submitAction(deps: BotDeps, context: TurnContext, action: MessagingExtensionAction): MessagingExtensionActionResponse {
  const kb = deps.knowledge;
  const data = isObject(action.data) ? action.data : {};
  note(context, { kind: data.action === undefined ? 'question' : submitKind(data.action) });
  switch (data.action) {
    case undefined:
      return askAboutMessage(deps, context, action);
    case SUBMIT.topic: {
      const click = readTopicClick(data);
      const reply = click && actionReply(kb, click, deps.present);
      if (reply?.kind === 'answer') return dialogResponse(teamsCard(reply, kb), reply.title);
      break;
    }
    case SUBMIT.compare:
      return dialogResponse(teamsCard(actionReply(kb, { id: 'compare', payload: undefined })!, kb), LABELS.compare);
    case SUBMIT.openForm:
      return dialogMessage('To get a recommendation, open a chat with me and type recommend: the form and its result stay in that chat.');
    case SUBMIT.feedback: {
      const feedback = readFeedback(data, kb);
      if (!feedback) break;
      recordFeedback(deps, context, feedback.question, feedback.rating, feedback.asked?.text);
      const reply = feedbackClick(feedback) && actionReply(kb, feedbackClick(feedback)!);
      if (reply?.kind === 'not-helpful') {
        return dialogResponse(teamsCard(reply, kb, { correct: { question: feedback.question } }), 'Which topic did you mean?');
      }
      return { task: { type: 'message', value: 'Thanks for the feedback.' } };
    }
    case SUBMIT.correct: {
      const correction = readCorrection(data, kb);
      const reply = correction && actionReply(kb, correctionClick(correction), deps.present);
      if (!correction || reply?.kind !== 'answer') break;
      // Recorded without holding the dialog: the double-click check may wait for the store (it never throws).
      void recordCorrection(deps, context, correction);
      return dialogResponse(teamsCard(reply, kb), reply.title);
    }
  }
  deps.log.warn({ action: String(data.action).slice(0, 50) }, 'unknown dialog action');
  return { task: { type: 'message', value: 'That button is from an older version of this card. Ask again, or type help in a chat with me.' } };
}

function askAboutMessage(deps: BotDeps, context: TurnContext, action: MessagingExtensionAction): MessagingExtensionActionResponse {
  const kb = deps.knowledge;
  if (action.commandId !== EXTENSION_COMMANDS.askAbout) {
    deps.log.warn({ commandId: String(action.commandId).slice(0, 50) }, 'unknown message extension command');
    return dialogMessage('This command is from an older version of the app. Type help in a chat with me to start again.');
  }
  const question = messageText(action.messagePayload?.body).slice(0, MAX_QUESTION_CHARS);
  if (!question) return dialogMessage('That message has no text I can answer (a file or an image, perhaps). Pick a message with a question in it, or ask me in a chat.');
  const reply = withVerification(presentAnswer(answer(question, kb), question, kb, deps.present), kb, deps.present.verification);
  // Recorded like a question typed to the bot (its id goes into the feedback buttons), after the dialog is drawn.
  const user = userOf(context);
  const record = questionToRecord(deps.store, reply, { platform: 'teams', userId: user });
  const response = dialogResponse(teamsCard(reply, kb, record ? { feedback: { question: record.id } } : {}), reply.kind === 'answer' ? reply.title : reply.kind === 'clarify' ? reply.message : 'Co-Existence Advisor');
  recordQuestion(deps.store, record);
  return response;
}
