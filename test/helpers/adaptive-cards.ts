import { createRequire } from 'node:module';
import { TEAMS_LIMITS } from '../../adapters/teams/limits.ts';

// Validates Adaptive Cards with the official `adaptivecards` library against the schema version Teams renders,
// plus the Teams limits the adapter promises. Under plain ESM the package's entry fails to load; its bundle works.

const AC = createRequire(import.meta.url)('adaptivecards/dist/adaptivecards.min.js');

export function cardProblems(card: Record<string, any>): string[] {
  const problems: string[] = [];
  if (card.type !== 'AdaptiveCard') problems.push(`type is ${card.type}`);
  const [major, minor] = String(card.version).split('.').map(Number);
  if (!(major === 1 && (minor ?? 99) <= 5)) problems.push(`version ${card.version} is above 1.5`);
  const bytes = Buffer.byteLength(JSON.stringify(card));
  if (bytes > TEAMS_LIMITS.maxMessageBytes) problems.push(`card is ${bytes} bytes > ${TEAMS_LIMITS.maxMessageBytes}`);
  const context = new AC.SerializationContext(AC.Versions.v1_5);
  const parsed = new AC.AdaptiveCard();
  parsed.parse(card, context);
  for (let i = 0; i < context.eventCount; i++) problems.push(`parse: ${context.getEventAt(i).message}`);
  for (const e of parsed.validateProperties().validationEvents) problems.push(`validate: ${e.message}`);
  // Every ToggleVisibility target exists.
  const ids = new Set<string>();
  const walk = (v: unknown) => {
    if (Array.isArray(v)) v.forEach(walk);
    else if (v && typeof v === 'object') {
      const o = v as Record<string, unknown>;
      if (typeof o.id === 'string') ids.add(o.id);
      Object.values(o).forEach(walk);
    }
  };
  walk(card.body);
  for (const a of card.actions ?? []) {
    if (a.type === 'Action.ToggleVisibility') for (const t of a.targetElements) if (!ids.has(typeof t === 'string' ? t : t.elementId)) problems.push(`toggle target ${t} missing`);
  }
  return problems;
}

/** All TextBlock texts in a card: where markdown is rendered. */
export function textBlocks(card: unknown): string[] {
  if (Array.isArray(card)) return card.flatMap(textBlocks);
  if (card && typeof card === 'object') {
    const o = card as Record<string, unknown>;
    const own = o.type === 'TextBlock' && typeof o.text === 'string' ? [o.text] : [];
    return [...own, ...Object.entries(o).filter(([k]) => k !== 'text').flatMap(([, v]) => textBlocks(v))];
  }
  return [];
}
