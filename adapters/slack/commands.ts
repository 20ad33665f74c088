// What the user typed after /coexist-vs-api (or in a DM), as one of the product's commands.

export type SlackCommand =
  | { kind: 'help' }
  | { kind: 'compare' }
  | { kind: 'topics' }
  | { kind: 'recommend'; customer?: string }
  | { kind: 'question'; text: string };

export function parseCommand(raw: string | undefined): SlackCommand {
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
