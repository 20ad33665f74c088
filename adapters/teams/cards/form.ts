import {
  CUSTOMER_MAX,
  NOTES_MAX,
  presentForm,
  requirementsFromForm,
  type FieldError,
  type Knowledge,
  type RequirementField,
} from '../../../src/index.ts';
import { userText } from '../markdown.ts';
import { SUBMIT, card, heading, submit, subtle, text, type Card, type Element } from './common.ts';
import { LABELS } from '../../../src/index.ts';

// The requirements form card. On a bad submit it is rebuilt with every typed value in place and each error
// shown under its field.

export interface FormValues {
  customer?: string;
  country?: string;
  agents?: string | number;
  dailyMessages?: string | number;
  peakMps?: string | number;
  needs?: readonly string[];
  notes?: string;
}

const NEEDS_PREFIX = 'needs_';

function errorText(errors: FieldError[], field: RequirementField): Element[] {
  // Messages quote what was typed ("\"xyz\" is not a country code"): escape them like any user text.
  const messages = errors.filter((e) => e.field === field).map((e) => userText(e.message, 500));
  return messages.length ? [text(`❗ ${messages.join(' ')}`, { color: 'Attention', size: 'Small', spacing: 'None', id: `error-${field}` })] : [];
}

const str = (v: unknown) => (v === undefined || v === null ? undefined : String(v));

export function formCard(knowledge: Knowledge, values: FormValues = {}, errors: FieldError[] = []): Card {
  const form = presentForm(knowledge);
  const choices = [
    ...form.offeredCountries.map((c) => ({ title: `${c.name} (${c.code}) · Co-Existence offered`, value: c.code })),
    ...form.otherCountries.map((c) => ({ title: `${c.name} (${c.code})`, value: c.code })),
  ];
  const chosen = new Set(values.needs ?? []);
  const number = (id: 'agents' | 'dailyMessages' | 'peakMps', label: string, placeholder: string): Element[] => {
    const v = str(values[id]);
    // Input.Number only takes a number as its value; keep anything else the user typed visible in the error.
    const numeric = v !== undefined && v.trim() !== '' && Number.isFinite(Number(v)) ? Number(v) : undefined;
    return [{ type: 'Input.Number', id, label, min: 0, placeholder, ...(numeric !== undefined ? { value: numeric } : {}) }, ...errorText(errors, id)];
  };
  const general = errors.filter((e) => e.field === null).map((e) => userText(e.message, 500));

  const body: Element[] = [
    heading(LABELS.recommend),
    subtle(form.intro),
    ...(errors.length ? [text(`Please fix ${errors.length === 1 ? 'the field' : 'the fields'} marked ❗ and submit again.`, { color: 'Attention', weight: 'Bolder' })] : []),
    ...general.map((m) => text(`❗ ${m}`, { color: 'Attention', size: 'Small' })),
    { type: 'Input.Text', id: 'customer', label: 'Customer or deal', maxLength: CUSTOMER_MAX, placeholder: 'e.g. Acme Retail', ...(values.customer ? { value: values.customer } : {}) },
    ...errorText(errors, 'customer'),
    {
      type: 'Input.ChoiceSet',
      id: 'country',
      label: 'Country of the WhatsApp number',
      style: 'compact',
      isRequired: true,
      errorMessage: 'Choose the country of the number',
      placeholder: 'Choose a country',
      choices,
      ...(values.country ? { value: values.country.toUpperCase() } : {}),
    },
    ...errorText(errors, 'country'),
    ...number('agents', 'Agents who will reply', 'e.g. 3'),
    ...number('dailyMessages', 'Messages per day', 'e.g. 2000'),
    ...number('peakMps', `Peak messages per second (${form.peakHint})`, 'e.g. 12'),
    ...form.needGroups.map(({ group, needs }, i) => {
      const selected = needs.filter((n) => chosen.has(n.id)).map((n) => n.id);
      return {
        type: 'Input.ChoiceSet',
        id: `${NEEDS_PREFIX}${i}`,
        label: `Needs: ${group}`,
        isMultiSelect: true,
        style: 'expanded',
        choices: needs.map((n) => ({ title: n.label, value: n.id })),
        ...(selected.length ? { value: selected.join(',') } : {}),
      };
    }),
    ...errorText(errors, 'needs'),
    { type: 'Input.Text', id: 'notes', label: 'Notes', isMultiline: true, maxLength: NOTES_MAX, placeholder: 'Anything the team should know', ...(values.notes ? { value: values.notes } : {}) },
    ...errorText(errors, 'notes'),
  ];
  return card(body, [submit(LABELS.submitForm, { action: SUBMIT.submitForm }, 'positive')], `${LABELS.recommend}: fill in what the customer needs`);
}

/** Reads a form submission (activity.value) back: the typed values, and the requirements input they make. */
export function readForm(value: Record<string, unknown>): { values: FormValues; input: Record<string, unknown> } {
  const needs: string[] = [];
  for (const [key, v] of Object.entries(value)) {
    if (key.startsWith(NEEDS_PREFIX) && typeof v === 'string') needs.push(...v.split(',').map((s) => s.trim()).filter(Boolean));
  }
  const field = (k: string) => (typeof value[k] === 'string' || typeof value[k] === 'number' ? (value[k] as string | number) : undefined);
  const values: FormValues = {
    ...(typeof value.customer === 'string' ? { customer: value.customer } : {}),
    ...(typeof value.country === 'string' ? { country: value.country } : {}),
    ...(field('agents') !== undefined ? { agents: field('agents')! } : {}),
    ...(field('dailyMessages') !== undefined ? { dailyMessages: field('dailyMessages')! } : {}),
    ...(field('peakMps') !== undefined ? { peakMps: field('peakMps')! } : {}),
    needs,
    ...(typeof value.notes === 'string' ? { notes: value.notes } : {}),
  };
  const input = requirementsFromForm(
    { customer: values.customer ?? null, country: values.country ?? null, agents: values.agents ?? null, dailyMessages: values.dailyMessages ?? null, peakMps: values.peakMps ?? null, notes: values.notes ?? null },
    needs,
  );
  return { values, input };
}
