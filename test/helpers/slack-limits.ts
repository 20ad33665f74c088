import { SLACK_LIMITS as L } from '../../adapters/slack/limits.ts';

// Checks a message or view the app produced against Slack's limits (from the adapter's one limits module).
// Returns the violations as readable strings; tests expect none.

type Json = Record<string, any>;
const len = (t: unknown) => (typeof t === 'string' ? t.length : typeof t === 'object' && t && typeof (t as Json).text === 'string' ? (t as Json).text.length : 0);

function checkElement(el: Json, where: string, out: string[]): void {
  if (!el || typeof el !== 'object') return;
  const over = (what: string, value: number, max: number) => value > max && out.push(`${where}: ${what} ${value} > ${max}`);
  switch (el.type) {
    case 'button':
      over('button text', len(el.text), L.buttonText);
      over('button value', len(el.value), L.buttonValue);
      over('action_id', len(el.action_id), L.actionId);
      break;
    case 'static_select':
    case 'checkboxes':
    case 'radio_buttons': {
      const options: Json[] = el.options ?? (el.option_groups ?? []).flatMap((g: Json) => g.options ?? []);
      if (el.type === 'checkboxes') over('checkbox options', options.length, L.checkboxOptions);
      if (el.options) over('options', el.options.length, L.optionsPerSelect);
      if (el.option_groups) {
        over('option groups', el.option_groups.length, L.optionGroups);
        for (const g of el.option_groups) over('options in a group', g.options.length, L.optionsPerSelect);
      }
      for (const o of options) {
        over('option text', len(o.text), L.optionText);
        over('option value', len(o.value), L.optionValue);
      }
      break;
    }
    case 'plain_text_input':
      if (el.max_length) over('max_length', el.max_length, L.plainTextInputMax);
      break;
  }
}

function checkBlocks(blocks: Json[], where: string, out: string[]): void {
  const ids = new Set<string>();
  let tables = 0;
  blocks.forEach((b, i) => {
    const at = `${where}[${i}] ${b.type}`;
    const over = (what: string, value: number, max: number) => value > max && out.push(`${at}: ${what} ${value} > ${max}`);
    if (b.block_id) {
      over('block_id', b.block_id.length, L.blockId);
      if (ids.has(b.block_id)) out.push(`${at}: duplicate block_id ${b.block_id}`);
      ids.add(b.block_id);
    }
    switch (b.type) {
      case 'section':
        over('text', len(b.text), L.sectionText);
        if (b.fields) {
          over('fields', b.fields.length, L.sectionFields);
          for (const f of b.fields) over('field text', len(f), L.sectionFieldText);
        }
        if (b.accessory) checkElement(b.accessory, at, out);
        if (!b.text && !b.fields) out.push(`${at}: section without text or fields`);
        break;
      case 'header':
        over('text', len(b.text), L.headerText);
        break;
      case 'context':
        over('elements', b.elements.length, L.contextElements);
        for (const e of b.elements) over('element text', len(e), L.contextText);
        break;
      case 'context_actions':
        over('elements', b.elements.length, L.contextActionsElements);
        for (const e of b.elements) {
          for (const side of [e.positive_button, e.negative_button].filter(Boolean)) {
            over('feedback button text', len(side.text), L.buttonText);
            over('feedback button value', String(side.value ?? '').length, L.buttonValue);
            over('feedback button accessibility_label', String(side.accessibility_label ?? '').length, L.accessibilityLabel);
          }
          if (e.action_id) over('action_id', e.action_id.length, L.actionId);
        }
        break;
      case 'actions':
        over('elements', b.elements.length, L.actionsElements);
        for (const e of b.elements) checkElement(e, at, out);
        break;
      case 'input':
        over('label', len(b.label), L.inputLabel);
        checkElement(b.element, at, out);
        break;
      case 'table':
        tables++;
        over('rows', b.rows.length, L.tableRows);
        for (const r of b.rows) over('cells', r.length, L.tableCells);
        break;
    }
  });
  if (tables > L.tablesPerMessage) out.push(`${where}: ${tables} tables > ${L.tablesPerMessage}`);
}

export function slackLimitViolations(payload: Json): string[] {
  const out: string[] = [];
  if (payload.type === 'modal' || payload.type === 'home') {
    if (payload.blocks.length > L.blocksPerView) out.push(`view: ${payload.blocks.length} blocks > ${L.blocksPerView}`);
    if (payload.title && len(payload.title) > L.viewTitle) out.push(`view title ${len(payload.title)} > ${L.viewTitle}`);
    if (payload.submit && len(payload.submit) > L.viewSubmit) out.push(`view submit > ${L.viewSubmit}`);
    if (payload.close && len(payload.close) > L.viewClose) out.push(`view close > ${L.viewClose}`);
    if (payload.private_metadata && payload.private_metadata.length > L.privateMetadata) out.push('private_metadata too long');
    checkBlocks(payload.blocks, 'view', out);
    return out;
  }
  const blocks: Json[] = Array.isArray(payload.blocks) ? payload.blocks : [];
  if (blocks.length > L.blocksPerMessage) out.push(`message: ${blocks.length} blocks > ${L.blocksPerMessage}`);
  if (typeof payload.text === 'string' && payload.text.length > L.messageText) out.push(`message text ${payload.text.length} > ${L.messageText}`);
  checkBlocks(blocks, 'message', out);
  return out;
}

/** Every mrkdwn string in a message or view: the places where a mention or link could fire. */
export function mrkdwnStrings(value: unknown): string[] {
  if (Array.isArray(value)) return value.flatMap(mrkdwnStrings);
  if (value && typeof value === 'object') {
    const o = value as Json;
    if (o.type === 'mrkdwn' && typeof o.text === 'string') return [o.text];
    return Object.values(o).flatMap(mrkdwnStrings);
  }
  return [];
}
