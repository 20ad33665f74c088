import {
  CUSTOMER_MAX,
  NOTES_MAX,
  presentForm,
  type FieldError,
  type Knowledge,
  type RequirementField,
  type RequirementsForm,
  requirementsFromForm,
} from '../../../src/index.ts';
import { SLACK_LIMITS } from '../limits.ts';
import { plain, truncate } from '../text.ts';
import type { InputBlock, InputBlockElement, ModalView, NumberInput, PlainTextOption } from '@slack/types';
import { CALLBACKS, context, type Block } from './common.ts';
import { LABELS } from '../../../src/index.ts';

// The "Recommend a setup" modal: build it (prefilled), read its state back into requirements input, and place
// validation errors on the right field. Block ids are the requirement field names, so errors map one to one.

export const VALUE = 'value';
const NEEDS_BLOCK_PREFIX = 'needs_';
export const CHANNEL_BLOCK = 'channel';

export interface ModalPrefill {
  customer?: string;
  country?: string;
  agents?: number;
  dailyMessages?: number;
  peakMps?: number;
  needs?: readonly string[];
  notes?: string;
}

export interface ModalMetadata {
  /** Where the modal was opened: the default channel to post to. */
  origin?: string;
}

const option = (text: string, value: string): PlainTextOption => ({ text: plain(text, SLACK_LIMITS.optionText), value: truncate(value, SLACK_LIMITS.optionValue) });

function countryOptionGroups(form: RequirementsForm) {
  const countryOption = (code: string, name: string) => option(`${name} (${code})`, code);
  const groups = [{ label: plain('Co-Existence offered', SLACK_LIMITS.optionText), options: form.offeredCountries.map((c) => countryOption(c.code, c.name)) }];
  const rest = form.otherCountries;
  for (let i = 0; i < rest.length; i += SLACK_LIMITS.optionsPerSelect) {
    const chunk = rest.slice(i, i + SLACK_LIMITS.optionsPerSelect);
    const label = `${chunk[0]!.name[0]}–${chunk.at(-1)!.name[0]}`;
    groups.push({ label: plain(label, SLACK_LIMITS.optionText), options: chunk.map((c) => countryOption(c.code, c.name)) });
  }
  return groups.slice(0, SLACK_LIMITS.optionGroups);
}

/** An element without its action_id: every input's is VALUE. */
type ElementSpec = InputBlockElement extends infer E ? (E extends { action_id?: string } ? Omit<E, 'action_id'> : never) : never;

function input(blockId: string, label: string, element: ElementSpec, opts: { optional?: boolean; hint?: string } = {}): InputBlock {
  return {
    type: 'input',
    block_id: blockId,
    label: plain(label, SLACK_LIMITS.inputLabel),
    optional: opts.optional ?? true,
    ...(opts.hint ? { hint: plain(opts.hint, SLACK_LIMITS.inputHint) } : {}),
    element: { action_id: VALUE, ...element } as InputBlockElement,
  };
}

const numberInput = (initial: number | undefined, decimal: boolean, placeholder: string): Omit<NumberInput, 'action_id'> => ({
  type: 'number_input',
  is_decimal_allowed: decimal,
  min_value: '0',
  placeholder: plain(placeholder, 150),
  ...(initial !== undefined && Number.isFinite(initial) ? { initial_value: String(initial) } : {}),
});

export function requirementsModal(knowledge: Knowledge, prefill: ModalPrefill = {}, meta: ModalMetadata = {}): ModalView {
  const form = presentForm(knowledge);
  const groups = countryOptionGroups(form);
  const initialCountry = groups.flatMap((g) => g.options).find((o) => o.value === prefill.country?.toUpperCase());
  const chosen = new Set(prefill.needs ?? []);

  const blocks: Block[] = [
    context(form.intro),
    input('customer', 'Customer or deal', {
      type: 'plain_text_input',
      max_length: CUSTOMER_MAX,
      placeholder: plain('e.g. Acme Retail', 150),
      ...(prefill.customer ? { initial_value: truncate(prefill.customer, CUSTOMER_MAX) } : {}),
    }),
    input(
      'country',
      'Country of the WhatsApp number',
      { type: 'static_select', placeholder: plain('Choose a country', 150), option_groups: groups, ...(initialCountry ? { initial_option: initialCountry } : {}) },
      { optional: false },
    ),
    input('agents', 'Agents who will reply', numberInput(prefill.agents, false, 'e.g. 3')),
    input('dailyMessages', 'Messages per day', numberInput(prefill.dailyMessages, false, 'e.g. 2000')),
    input('peakMps', 'Peak messages per second', numberInput(prefill.peakMps, true, 'e.g. 12'), { hint: form.peakHint }),
    // A checkboxes element holds 10 options: a larger group takes as many blocks as it needs ("Needs: Group (2 of 2)"),
    // never dropping one. readSubmission reads every needs_ block.
    ...form.needGroups.flatMap(({ group, needs }, i) => {
      const parts = Math.ceil(needs.length / SLACK_LIMITS.checkboxOptions);
      return Array.from({ length: parts }, (_, part) => {
        const options = needs.slice(part * SLACK_LIMITS.checkboxOptions, (part + 1) * SLACK_LIMITS.checkboxOptions).map((n) => option(n.label, n.id));
        const initial = options.filter((o) => o.value !== undefined && chosen.has(o.value));
        const blockId = part === 0 ? `${NEEDS_BLOCK_PREFIX}${i}` : `${NEEDS_BLOCK_PREFIX}${i}_${part}`;
        const label = parts === 1 ? `Needs: ${group}` : `Needs: ${group} (${part + 1} of ${parts})`;
        return input(blockId, label, { type: 'checkboxes', options, ...(initial.length ? { initial_options: initial } : {}) });
      });
    }),
    input('notes', 'Notes', {
      type: 'plain_text_input',
      multiline: true,
      max_length: NOTES_MAX,
      placeholder: plain('Anything the channel should know', 150),
      ...(prefill.notes ? { initial_value: truncate(prefill.notes, NOTES_MAX) } : {}),
    }),
    input(
      CHANNEL_BLOCK,
      'Post to',
      {
        type: 'conversations_select',
        filter: { include: ['public', 'private'], exclude_bot_users: true },
        ...(meta.origin ? { initial_conversation: meta.origin } : { default_to_current_conversation: true }),
      },
      { optional: false },
    ),
  ];

  return {
    type: 'modal',
    callback_id: CALLBACKS.modal,
    title: plain(LABELS.recommend, SLACK_LIMITS.viewTitle),
    submit: plain('Post', SLACK_LIMITS.viewSubmit),
    close: plain('Cancel', SLACK_LIMITS.viewClose),
    private_metadata: truncate(JSON.stringify(meta), SLACK_LIMITS.privateMetadata),
    blocks,
  };
}

// ---- Reading a submission ----------------------------------------------------------------------------------

type StateValues = Record<string, Record<string, Record<string, unknown>>>;

function stateValue(values: StateValues, block: string): Record<string, unknown> | undefined {
  const v = values?.[block]?.[VALUE];
  return v && typeof v === 'object' ? v : undefined;
}

export interface Submission {
  input: Record<string, unknown>;
  channel?: string;
}

/** Turns view state into requirements input. Missing or odd blocks become absent fields, never a crash. */
export function readSubmission(values: unknown): Submission {
  const v = (values && typeof values === 'object' ? values : {}) as StateValues;
  const raw = (block: string) => stateValue(v, block)?.value as string | null | undefined;
  const selected = stateValue(v, 'country')?.selected_option as { value?: unknown } | undefined;
  const needs: string[] = [];
  for (const block of Object.keys(v)) {
    if (!block.startsWith(NEEDS_BLOCK_PREFIX)) continue;
    const options = stateValue(v, block)?.selected_options;
    if (Array.isArray(options)) for (const o of options) if (o && typeof o.value === 'string') needs.push(o.value);
  }
  const input = requirementsFromForm(
    {
      customer: raw('customer'),
      country: typeof selected?.value === 'string' ? selected.value : null,
      agents: raw('agents'),
      dailyMessages: raw('dailyMessages'),
      peakMps: raw('peakMps'),
      notes: raw('notes'),
    },
    needs,
  );
  const channel = stateValue(v, CHANNEL_BLOCK)?.selected_conversation;
  return { input, ...(typeof channel === 'string' && channel ? { channel } : {}) };
}

/** Field errors → `response_action: errors` map, keyed by the input block each error belongs to. */
export function modalErrors(errors: FieldError[], values: unknown): Record<string, string> {
  const blockFor = (field: RequirementField | null): string => {
    if (field === 'needs') {
      const first = Object.keys((values as StateValues) ?? {}).find((b) => b.startsWith(NEEDS_BLOCK_PREFIX));
      return first ?? `${NEEDS_BLOCK_PREFIX}0`;
    }
    return field ?? 'customer';
  };
  const out: Record<string, string> = {};
  for (const e of errors) {
    const block = blockFor(e.field);
    out[block] = truncate(out[block] ? `${out[block]} ${e.message}` : e.message, 300);
  }
  return out;
}
