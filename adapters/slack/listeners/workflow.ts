import { recommendationWithReply, REQUIREMENT_FIELDS, validateRequirements } from '../../../src/index.ts';
import { REMEMBERED } from '../../carried.ts';
import { formatReply } from '../../plain-text.ts';
import { CALLBACKS } from '../blocks/common.ts';
import { slackError, type SlackDeps } from '../deps.ts';
import type { ListenerTable } from './table.ts';

// The Workflow Builder step "Recommend a WhatsApp setup" (custom function `recommend_setup`, see manifest.yml):
// inputs are the requirement fields of the SPEC; outputs `setup`, `confidence` and `summary` (the recommendation as
// plain text, the same text `coexist-advisor recommend` prints). Bad inputs fail the step with the validation
// messages, every problem at once, written for the person who built the workflow.

export const STEP_OUTPUT_MAX = 4000;

/**
 * Workflow Builder sends what the workflow filled in: absent or empty fields for what was left blank, numbers
 * possibly as text, and `needs` as a list (or, from a text variable, a comma-separated string). Only that is
 * smoothed here; everything else is the requirements contract's to accept or refuse.
 */
export function requirementsFromStepInputs(inputs: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(inputs)) {
    if (value === null || value === undefined || value === '') continue;
    if ((key === 'agents' || key === 'dailyMessages' || key === 'peakMps') && typeof value === 'string' && /^\s*-?\d+(\.\d+)?\s*$/.test(value)) out[key] = Number(value);
    else if (key === 'needs' && typeof value === 'string') out[key] = value.split(/[\s,]+/).filter(Boolean);
    else out[key] = value;
  }
  if (!('needs' in out)) out.needs = [];
  return out;
}

/**
 * The summary is plain text, but a workflow may paste it into a message, where `<!channel>` or `<@U…>` typed in the
 * customer's name or notes would ping: the `<` of Slack's mention and link syntax is replaced by a look-alike.
 */
const inert = (text: string): string => text.replace(/<(?=[!@#]|https?:|mailto:)/g, '‹');

export function registerWorkflowStep(app: ListenerTable, deps: SlackDeps): void {
  app.function(CALLBACKS.recommendStep, (args) =>
    deps.interactions.run(args, async () => {
      const { ack, complete, fail, body } = args;
      await ack();
      // Slack may deliver the same run again: complete it once.
      const runId = (args.event as { function_execution_id?: string }).function_execution_id ?? (body as { event_id?: string }).event_id;
      if (!(await deps.claim(`slack:function:${runId}`, REMEMBERED.slackWorkflowRunMs, 'act'))) return;
      const result = validateRequirements(requirementsFromStepInputs((args.inputs ?? {}) as Record<string, unknown>));
      try {
        if (!result.ok) {
          const problems = result.errors.map((e) => `${e.path}: ${e.message}`).join('; ');
          await fail({ error: `The requirements are not valid: ${problems}. Inputs: ${REQUIREMENT_FIELDS.join(', ')}.`.slice(0, STEP_OUTPUT_MAX) });
          return { outcome: 'invalid-inputs', level: 'warn' as const };
        }
        const { recommendation, reply } = recommendationWithReply(result.requirements, deps.knowledge);
        await complete({ outputs: { setup: recommendation.setup, confidence: recommendation.confidence, summary: inert(formatReply(reply)).slice(0, STEP_OUTPUT_MAX) } });
      } catch (err) {
        deps.logger.warn({ error: slackError(err) }, 'could not report the workflow step result to Slack');
        return { outcome: 'not-reported', level: 'error' as const, error: slackError(err) };
      }
      return undefined;
    }),
  );
}
