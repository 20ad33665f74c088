import type { InputBlock } from '@slack/types';
import { describe, expect, it } from 'vitest';
import { readSubmission, requirementsModal } from '../../adapters/slack/blocks/modal.ts';
import type { Knowledge } from '../../src/index.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// The requirements modal offers every need: a checkboxes element holds 10 options, so a group of 11 or more takes
// a second block instead of losing the 11th.

const kb = fixtureKnowledge();
const [firstGroup] = [...new Set(kb.needs.map((n) => n.group))];
const inGroup = kb.needs.filter((n) => n.group === firstGroup);
const template = inGroup[0]!;
/** The fixture's first group grown to 12 needs (new ids of our own; nothing else of the knowledge changes). */
const extra = Array.from({ length: 12 - inGroup.length }, (_, i) => ({ ...template, id: `extra-need-${i + 1}`, label: `Extra need ${i + 1}` }));
const grown = { ...kb, needs: [...kb.needs, ...extra] } as unknown as Knowledge;
const last = extra.at(-1)!;

const checkboxBlocks = (view: ReturnType<typeof requirementsModal>): InputBlock[] =>
  (view.blocks.filter((b) => b.type === 'input') as InputBlock[]).filter((b) => (b.element as { type: string }).type === 'checkboxes');
const optionValues = (block: ReturnType<typeof checkboxBlocks>[number]) => ((block.element as { options: { value: string }[] }).options ?? []).map((o) => o.value);

describe('Slack requirements modal: needs', () => {
  it('a group of 12 needs is offered whole, in two blocks that say so, none dropped', () => {
    expect(inGroup.length).toBeLessThan(12);
    const blocks = checkboxBlocks(requirementsModal(grown));
    const offered = blocks.flatMap(optionValues);
    expect(offered.sort()).toEqual(grown.needs.map((n) => n.id).sort());
    const labels = blocks.map((b) => b.label.text);
    expect(labels).toContain(`Needs: ${firstGroup} (1 of 2)`);
    expect(labels).toContain(`Needs: ${firstGroup} (2 of 2)`);
    for (const b of blocks) expect(optionValues(b).length).toBeLessThanOrEqual(10);
  });

  it('the 12th need is prefilled when editing, and read back when ticked', () => {
    const blocks = checkboxBlocks(requirementsModal(grown, { needs: [last.id] }));
    const second = blocks.find((b) => b.label.text.endsWith('(2 of 2)'))!;
    expect((second.element as { initial_options?: { value: string }[] }).initial_options?.map((o) => o.value)).toEqual([last.id]);
    const submitted = readSubmission({
      [blocks[0]!.block_id!]: { value: { type: 'checkboxes', selected_options: [{ value: template.id }] } },
      [second.block_id!]: { value: { type: 'checkboxes', selected_options: [{ value: last.id }] } },
    });
    expect(JSON.stringify(submitted)).toContain(last.id);
    expect(JSON.stringify(submitted)).toContain(template.id);
  });

  it('the real knowledge keeps one block per group (no group over 10 today)', () => {
    const blocks = checkboxBlocks(requirementsModal(kb));
    expect(blocks).toHaveLength(new Set(kb.needs.map((n) => n.group)).size);
  });
});
