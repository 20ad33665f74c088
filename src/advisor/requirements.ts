import { z } from 'zod';
import { ALL_NEED_IDS, type NeedId } from '../knowledge/ids.ts';
import { isCountryCode } from './countries.ts';

export const CUSTOMER_MAX = 80;
export const NOTES_MAX = 2000;

export const REQUIREMENT_FIELDS = ['customer', 'country', 'agents', 'dailyMessages', 'peakMps', 'needs', 'notes'] as const;
export type RequirementField = (typeof REQUIREMENT_FIELDS)[number];

const wholeNumber = (what: string) =>
  z
    .number({ error: `${what} must be a whole number, 0 or more` })
    .int({ error: `${what} must be a whole number, 0 or more` })
    .min(0, { error: `${what} cannot be negative` })
    .max(Number.MAX_SAFE_INTEGER, { error: `${what} is too large` })
    .optional();

/**
 * Control characters (other than tab and line breaks) are never meant: pasted from a terminal or a spreadsheet, they
 * show as boxes or escapes and bloat every message that quotes the text (a JSON escape is six characters each).
 */
const CONTROLS = /[\u0000-\u0008\u000b\u000c\u000e-\u001f\u007f-\u009f]/g;
const withoutControls = (s: string): string => s.replace(CONTROLS, ' ');

/** The customer requirements contract (SPEC). Error messages are written for a salesperson, not a developer. */
export const requirementsSchema = z.strictObject(
  {
    customer: z
      .string({ error: 'Customer must be text' })
      .trim()
      .max(CUSTOMER_MAX, { error: `Customer name is too long: keep it to ${CUSTOMER_MAX} characters` })
      .transform((s) => withoutControls(s).trim())
      .transform((s) => (s === '' ? undefined : s))
      .optional(),
    country: z
      .string({ error: 'Country is required: the two-letter code of the WhatsApp number, e.g. IN for India' })
      .trim()
      .refine(isCountryCode, {
        error: (iss) => `"${String(iss.input)}" is not a country code. Use the two-letter ISO code, e.g. IN for India, DE for Germany`,
      })
      .transform((s) => s.toUpperCase()),
    agents: wholeNumber('Agents'),
    dailyMessages: wholeNumber('Daily messages'),
    peakMps: z
      .number({ error: 'Peak messages per second must be a number, 0 or more' })
      .min(0, { error: 'Peak messages per second cannot be negative' })
      .max(1_000_000, { error: 'Peak messages per second is too large' })
      .optional(),
    needs: z
      .array(
        z.enum(ALL_NEED_IDS, {
          error: (iss) => `"${String(iss.input)}" is not a need. Allowed: ${ALL_NEED_IDS.join(', ')}`,
        }),
        { error: 'Needs must be a list of need ids (it may be empty)' },
      )
      .transform((list) => [...new Set(list)] as NeedId[]),
    notes: z
      .string({ error: 'Notes must be text' })
      .max(NOTES_MAX, { error: `Notes are too long: keep them to ${NOTES_MAX} characters` })
      .transform((s) => withoutControls(s))
      .transform((s) => (s.trim() === '' ? undefined : s))
      .optional(),
  },
  {
    error: (iss) => {
      if (iss.code === 'unrecognized_keys') {
        return `Unknown field${iss.keys.length > 1 ? 's' : ''} ${iss.keys.map((k) => `"${k}"`).join(', ')}. Allowed fields: ${REQUIREMENT_FIELDS.join(', ')}`;
      }
      if (iss.code === 'invalid_type') return 'Requirements must be an object with the fields ' + REQUIREMENT_FIELDS.join(', ');
      return undefined;
    },
  },
);

export type Requirements = z.output<typeof requirementsSchema>;
export type RequirementsInput = z.input<typeof requirementsSchema>;

export interface FieldError {
  /** The top-level requirement field the error belongs to, or null for the object as a whole (unknown fields). */
  field: RequirementField | null;
  /** Full path, e.g. `needs[2]`. */
  path: string;
  message: string;
}

export type RequirementsResult = { ok: true; requirements: Requirements } | { ok: false; errors: FieldError[] };

/** Validates untrusted input. Every problem is returned at once, each tied to its field. */
export function validateRequirements(input: unknown): RequirementsResult {
  const parsed = requirementsSchema.safeParse(input);
  if (parsed.success) return { ok: true, requirements: parsed.data };
  const errors = parsed.error.issues.map((issue): FieldError => {
    const head = issue.path[0];
    const field = typeof head === 'string' && (REQUIREMENT_FIELDS as readonly string[]).includes(head) ? (head as RequirementField) : null;
    const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('').replace(/^\./, '');
    let message = issue.message;
    // A missing required field arrives as invalid_type with input undefined; say "required" plainly.
    if (issue.code === 'invalid_type' && field === 'needs' && issue.path.length === 1) {
      message = 'Needs are required: a list of need ids, which may be empty';
    }
    return { field, path: path || '(requirements)', message };
  });
  return { ok: false, errors };
}

/** What a form sends back: every field as typed text (or absent), and the need ids that were ticked. */
export interface FormFields {
  customer?: string | null;
  country?: string | null;
  agents?: string | number | null;
  dailyMessages?: string | number | null;
  peakMps?: string | number | null;
  notes?: string | null;
}

/** "12" → 12; "" or absent → absent; anything else stays text so the schema can say what is wrong with it. */
export function formNumber(raw: unknown): number | string | undefined {
  if (raw === null || raw === undefined) return undefined;
  if (typeof raw === 'number') return raw;
  // Not String(raw): a forged form value such as { toString: {} } makes String() throw (a 500 instead of a field error).
  const text = (typeof raw === 'string' ? raw : Object.prototype.toString.call(raw)).trim();
  if (text === '') return undefined;
  return Number.isFinite(Number(text)) ? Number(text) : text;
}

/**
 * Turns a form's raw fields into requirements input for validateRequirements(). Shared by the Slack modal and
 * the Teams card so both read a form the same way: blank means "not given", numbers are parsed, text is kept.
 */
export function requirementsFromForm(fields: FormFields, needs: readonly string[]): Record<string, unknown> {
  const input: Record<string, unknown> = { needs: [...needs] };
  const text = (v: unknown) => (typeof v === 'string' && v.trim() !== '' ? v : undefined);
  const customer = text(fields.customer);
  if (customer !== undefined) input.customer = customer;
  input.country = text(fields.country);
  for (const field of ['agents', 'dailyMessages', 'peakMps'] as const) {
    const n = formNumber(fields[field]);
    if (n !== undefined) input[field] = n;
  }
  const notes = text(fields.notes);
  if (notes !== undefined) input.notes = notes;
  return input;
}

/** What a form is prefilled with: the requirement fields, each only if it has the right type. */
export interface RequirementsPrefill {
  customer?: string;
  country?: string;
  agents?: number;
  dailyMessages?: number;
  peakMps?: number;
  needs?: string[];
  notes?: string;
}

/**
 * Requirements carried by a button (Slack's Edit value, Teams' Edit action data) back into a form's prefill.
 * The value came through a client: anything of the wrong type is dropped, never trusted.
 */
export function prefillFrom(value: unknown): RequirementsPrefill {
  const r = value && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : {};
  const out: RequirementsPrefill = {};
  for (const k of ['customer', 'country', 'notes'] as const) if (typeof r[k] === 'string') out[k] = r[k];
  for (const k of ['agents', 'dailyMessages', 'peakMps'] as const) if (typeof r[k] === 'number' && Number.isFinite(r[k])) out[k] = r[k];
  if (Array.isArray(r.needs)) out.needs = r.needs.filter((n): n is string => typeof n === 'string');
  return out;
}
