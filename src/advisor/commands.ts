// What a person typed to the advisor (after /coexist-vs-api in Slack, to the bot in Teams, in a DM, or to
// `coexist-advisor ask`), as one of the product's commands. Platform-neutral: every surface offers the same words,
// and the help on every surface lists COMMANDS, so a command added here appears everywhere.

import { MAX_QUESTION_CHARS } from './answer.ts';

export type AdvisorCommand =
  | { kind: 'help' }
  | { kind: 'greeting' }
  | { kind: 'compare' }
  | { kind: 'topics' }
  | { kind: 'recommend'; customer?: string }
  | { kind: 'history'; customer?: string }
  | { kind: 'report' }
  | { kind: 'question'; text: string };

export interface CommandWord {
  kind: Exclude<AdvisorCommand['kind'], 'question' | 'greeting'>;
  /** The words that start it; the first is the one shown. */
  words: readonly string[];
  /** What may follow the word, as shown in help ("[customer]"); absent: nothing may follow. */
  argument?: string;
  /** One line for help and the Teams command menu. */
  what: string;
}

/** Every command word, in the order help shows them. A new command is one entry here plus its reply (present/). */
export const COMMANDS: readonly CommandWord[] = [
  { kind: 'compare', words: ['compare', 'comparison'], what: 'every feature side by side' },
  { kind: 'recommend', words: ['recommend'], argument: '[customer]', what: 'fill in what the customer needs, get a recommendation' },
  { kind: 'history', words: ['history'], argument: '[customer]', what: 'recent recommendations, newest first (only you see the list)' },
  { kind: 'topics', words: ['topics'], what: 'what I know about' },
  { kind: 'report', words: ['report'], what: 'this week’s questions and feedback (for the knowledge owners)' },
  { kind: 'help', words: ['help', '?'], what: 'what I can do, with examples' },
];

/** The slash command's usage hint (manifest.yml, written by `npm run slack:manifest`): a question, then every command. */
export function usageHint(): string {
  return ['[question]', ...COMMANDS.map((c) => (c.argument ? `${c.words[0]} ${c.argument}` : c.words[0]!))].join(' | ');
}

/** "hi", "Hello!", "namaste", "good morning team": a greeting, answered with one (not with "off-topic"). */
const GREETING = /^(?:hi+|hey+|hel+o+|hiya|yo|namaste|namaskar|hola|good\s+(?:morning|afternoon|evening|day))(?:\s+(?:there|all|team|everyone|bot|advisor))?[\s!.,🙏👋]*$/iu;

/** The first words a greeting can start with: a question starting otherwise skips the pattern (it runs on every question). */
const GREETING_START = /^(?:hi+|hey+|hel+o+|hiya|yo|namaste|namaskar|hola|good)$/;

export function isGreeting(text: string): boolean {
  const trimmed = text.trim();
  if (trimmed.length > 40) return false;
  const first = /^[\p{L}]+/u.exec(trimmed)?.[0]?.toLowerCase();
  return first !== undefined && GREETING_START.test(first) && GREETING.test(trimmed);
}

export function parseCommand(raw: string | undefined): AdvisorCommand {
  // Cut first: a 250 KB paste costs every later step (splitting, matching, rendering, logging) for nothing.
  const text = (raw ?? '').trimStart().slice(0, MAX_QUESTION_CHARS).trimEnd();
  if (text === '') return { kind: 'help' };
  const first = /^\S*/.exec(text)![0];
  const rest = text.slice(first.length).trim();
  const word = first.toLowerCase();
  const command = COMMANDS.find((c) => c.words.includes(word));
  if (command && (rest === '' || command.argument)) {
    if (command.kind === 'recommend' || command.kind === 'history') return rest ? { kind: command.kind, customer: rest } : { kind: command.kind };
    return { kind: command.kind };
  }
  if (isGreeting(text)) return { kind: 'greeting' };
  return { kind: 'question', text };
}
