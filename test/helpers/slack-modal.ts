type Block = Record<string, any>;

export interface ModalAnswers {
  country: string;
  customer?: string;
  agents?: string;
  dailyMessages?: string;
  peakMps?: string;
  notes?: string;
  needs: string[];
}

/** The requirements modal's state as Slack sends it on submit, for a salesperson who typed `answers` into `view`. */
export function filledModal(view: Block, answers: ModalAnswers): Record<string, unknown> {
  const values: Record<string, Record<string, unknown>> = {};
  for (const block of view.blocks as Block[]) {
    if (block.type !== 'input') continue;
    const el = block.element;
    const id = block.block_id as string;
    let state: Record<string, unknown> = {};
    if (el.type === 'plain_text_input' || el.type === 'number_input') state = { type: el.type, value: (answers as unknown as Record<string, unknown>)[id] ?? null };
    if (el.type === 'static_select') state = { type: el.type, selected_option: (el.option_groups as Block[]).flatMap((g) => g.options).find((o: Block) => o.value === answers.country) ?? null };
    if (el.type === 'checkboxes') state = { type: el.type, selected_options: (el.options as Block[]).filter((o) => answers.needs.includes(o.value)) };
    if (el.type === 'conversations_select') state = { type: el.type, selected_conversation: 'C_DEALS' };
    values[id] = { value: state };
  }
  return values;
}
