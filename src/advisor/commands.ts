// What a person typed to the advisor (after /coexist-vs-api in Slack, to the bot in Teams, in a DM), as one of the
// product's commands. Platform-neutral: every surface offers the same words.

export type AdvisorCommand =
  | { kind: 'help' }
  | { kind: 'compare' }
  | { kind: 'topics' }
  | { kind: 'recommend'; customer?: string }
  | { kind: 'question'; text: string };

export function parseCommand(raw: string | undefined): AdvisorCommand {
  const text = (raw ?? '').trim();
  const [first = '', ...rest] = text.split(/\s+/);
  const word = first.toLowerCase();
  const remainder = text.slice(first.length).trim();
  if (word === '' || word === 'help' || word === '?') return rest.length === 0 || word === '' ? { kind: 'help' } : { kind: 'question', text };
  if ((word === 'compare' || word === 'comparison') && rest.length === 0) return { kind: 'compare' };
  if (word === 'topics' && rest.length === 0) return { kind: 'topics' };
  if (word === 'recommend') return remainder ? { kind: 'recommend', customer: remainder } : { kind: 'recommend' };
  return { kind: 'question', text };
}
