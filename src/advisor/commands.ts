// What a person typed to the advisor (after /coexist-vs-api in Slack, to the bot in Teams, in a DM), as one of the
// product's commands. Platform-neutral: every surface offers the same words.

import { MAX_QUESTION_CHARS } from './answer.ts';

export type AdvisorCommand =
  | { kind: 'help' }
  | { kind: 'compare' }
  | { kind: 'topics' }
  | { kind: 'recommend'; customer?: string }
  | { kind: 'question'; text: string };

export function parseCommand(raw: string | undefined): AdvisorCommand {
  // Cut first: a 250 KB paste costs every later step (splitting, matching, rendering, logging) for nothing.
  const text = (raw ?? '').trimStart().slice(0, MAX_QUESTION_CHARS).trimEnd();
  const first = /^\S*/.exec(text)![0];
  const remainder = text.slice(first.length).trim();
  const rest = remainder === '' ? [] : [remainder];
  const word = first.toLowerCase();
  if (word === '' || word === 'help' || word === '?') return rest.length === 0 || word === '' ? { kind: 'help' } : { kind: 'question', text };
  if ((word === 'compare' || word === 'comparison') && rest.length === 0) return { kind: 'compare' };
  if (word === 'topics' && rest.length === 0) return { kind: 'topics' };
  if (word === 'recommend') return remainder ? { kind: 'recommend', customer: remainder } : { kind: 'recommend' };
  return { kind: 'question', text };
}
