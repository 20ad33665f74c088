import { z } from 'zod';

// Slack's rules for an app manifest (manifest.yml), so `npm test` refuses a manifest that Slack's "Create New App →
// From a manifest" would refuse. Our own encoding, written from Slack's references:
// - docs.slack.dev/reference/app-manifest (fields, which are required, enums; version 1 and version 2);
// - the limits Slack publishes in its manifest JSON schema (github.com/slackapi/manifest-schema, schemas/
//   manifest.schema.{1,2}.0.0.json at tag v0.5.0) and in @slack/web-api's Manifest type (request/manifest.d.ts);
// - docs.slack.dev/tools/bolt-js/tutorials/custom-steps for custom steps (`functions`): callback id up to 100
//   characters, title up to 255, org-ready apps only, `function_runtime: remote` for an app that runs its steps.
// Objects are strict, as Slack's schema is (additionalProperties: false): a misspelt key is refused, not ignored.
//
// Step parameters (functions.*.input_parameters / output_parameters) have two shapes, by manifest version:
// - version 1: a map of parameter name → {type, title, description, is_required, …} (slack-samples/bolt-js-custom-
//   step-template and bolt-python-custom-step-template, manifest.json);
// - version 2: {properties: {name → {type, title, …}}, required: [names]} (the bolt-js custom steps tutorial above:
//   "is_required … is available only in v1 of the manifest. We recommend v2, using the required array"; Slack's
//   schema manifest.schema.2.0.0.json; @slack/web-api's ManifestParameters).
// "If the version _metadata property is not specified, Slack will treat your manifest configuration as v1"
// (api.slack.com/concepts/manifests). So the version 2 shape needs `_metadata: {major_version: 2}`.

const MAX = {
  appName: 35,
  appDescription: 140,
  longDescriptionMin: 175,
  longDescription: 4000,
  botDisplayName: 80,
  shortcuts: 10,
  shortcutName: 24,
  shortcutDescription: 150,
  callbackId: 255,
  slashCommands: 50,
  command: 32,
  commandDescription: 2000,
  usageHint: 1000,
  commandUrl: 3000,
  requestUrl: 3500,
  scopes: 255,
  scope: 50,
  events: 100,
  eventName: 50,
  redirectUrls: 1000,
  redirectUrl: 2500,
  unfurlDomains: 5,
  functions: 50,
  functionCallbackId: 100,
  functionTitle: 255,
  parameters: 50,
} as const;

const text = (min: number, max: number) =>
  z
    .string()
    .min(min, min === 1 ? 'must not be empty' : `must have at least ${min} characters`)
    .max(max, `Slack allows at most ${max} characters`);
const httpUrl = (max: number) => text(1, max).regex(/^https?:\/\//, 'must be an http(s) URL');
const names = (maxItems: number, maxLength: number) =>
  z
    .array(text(1, maxLength))
    .max(maxItems, `Slack allows at most ${maxItems}`)
    .refine((list) => new Set(list).size === list.length, 'must not repeat an entry');

/** Slack's primitive parameter types, and its own types (slack#/types/…, e.g. user_id, channel_id). */
const PRIMITIVE_TYPES = ['string', 'integer', 'number', 'boolean', 'object', 'array'] as const;
const parameterType = z.string().refine((t) => (PRIMITIVE_TYPES as readonly string[]).includes(t) || /^slack#\/types\/[a-z_/0-9]+$/.test(t), {
  message: `must be one of ${PRIMITIVE_TYPES.join(', ')} or a Slack type (slack#/types/…)`,
});
/** One parameter. Slack's schema lets a parameter carry more keys (items, default, enum, hint, dynamic_options…). */
const parameter = z.looseObject({ type: parameterType, title: z.string().optional(), description: z.string().optional(), hint: z.string().optional() });
const parameterName = z.string().min(1, 'a parameter needs a name');

/** Version 1: name → parameter (is_required on each). */
const parametersV1 = z
  .record(parameterName, parameter.extend({ is_required: z.boolean().optional() }))
  .refine((m) => Object.keys(m).length <= MAX.parameters, `Slack allows at most ${MAX.parameters} parameters`);
/** Version 2: {properties, required}. */
const parametersV2 = z
  .strictObject({
    properties: z.record(parameterName, parameter).refine((m) => Object.keys(m).length <= MAX.parameters, `Slack allows at most ${MAX.parameters} parameters`),
    required: z.array(z.string()).optional(),
  })
  .superRefine((p, ctx) => {
    for (const [i, name] of (p.required ?? []).entries()) {
      if (!(name in p.properties)) ctx.addIssue({ code: 'custom', path: ['required', i], message: `names "${name}", which is not in properties` });
    }
  });

const fn = z.strictObject({
  title: text(1, MAX.functionTitle),
  description: z.string().optional(),
  // Checked below by the manifest's version.
  input_parameters: z.unknown().optional(),
  output_parameters: z.unknown().optional(),
});

const shortcut = z.strictObject({
  name: text(1, MAX.shortcutName),
  type: z.enum(['global', 'message']),
  callback_id: text(1, MAX.callbackId),
  description: text(1, MAX.shortcutDescription),
});

const slashCommand = z.strictObject({
  command: text(2, MAX.command).regex(/^\//, 'must start with /'),
  url: httpUrl(MAX.commandUrl).optional(),
  description: text(1, MAX.commandDescription),
  usage_hint: text(1, MAX.usageHint).optional(),
  should_escape: z.boolean().optional(),
});

const scopes = names(MAX.scopes, MAX.scope);

export const slackManifestSchema = z
  .strictObject({
    $schema: z.string().optional(),
    _metadata: z.strictObject({ major_version: z.union([z.literal(1), z.literal(2)]).optional(), minor_version: z.number().int().optional() }).optional(),
    display_information: z.strictObject({
      name: text(1, MAX.appName),
      description: text(1, MAX.appDescription).optional(),
      background_color: z.string().regex(/^#[0-9a-fA-F]{3}([0-9a-fA-F]{3})?$/, 'must be a hex colour, #abc or #aabbcc').optional(),
      long_description: text(MAX.longDescriptionMin, MAX.longDescription).optional(),
    }),
    features: z
      .strictObject({
        app_home: z.strictObject({ home_tab_enabled: z.boolean().optional(), messages_tab_enabled: z.boolean().optional(), messages_tab_read_only_enabled: z.boolean().optional() }).optional(),
        bot_user: z.strictObject({ display_name: text(1, MAX.botDisplayName), always_online: z.boolean().optional() }).optional(),
        shortcuts: z.array(shortcut).min(1, 'must list at least one shortcut, or be left out').max(MAX.shortcuts, `Slack allows at most ${MAX.shortcuts} shortcuts`).optional(),
        slash_commands: z.array(slashCommand).min(1, 'must list at least one command, or be left out').max(MAX.slashCommands, `Slack allows at most ${MAX.slashCommands} commands`).optional(),
        unfurl_domains: names(MAX.unfurlDomains, 255).optional(),
        assistant_view: z.looseObject({ assistant_description: z.string() }).optional(),
      })
      .optional(),
    oauth_config: z
      .strictObject({
        redirect_urls: names(MAX.redirectUrls, MAX.redirectUrl).optional(),
        scopes: z.strictObject({ bot: scopes.optional(), user: scopes.optional(), bot_optional: scopes.optional(), user_optional: scopes.optional() }).optional(),
        token_management_enabled: z.boolean().optional(),
        pkce_enabled: z.boolean().optional(),
      })
      .optional(),
    settings: z
      .strictObject({
        allowed_ip_address_ranges: z.array(z.string()).min(1).max(50).optional(),
        event_subscriptions: z
          .strictObject({
            request_url: httpUrl(MAX.requestUrl).optional(),
            bot_events: names(MAX.events, MAX.eventName).optional(),
            user_events: names(MAX.events, MAX.eventName).optional(),
            metadata_subscriptions: z.array(z.strictObject({ app_id: z.string(), event_type: text(1, MAX.eventName) })).min(1).max(20).optional(),
          })
          .optional(),
        incoming_webhooks: z.strictObject({ incoming_webhooks_enabled: z.boolean().optional() }).optional(),
        interactivity: z.strictObject({ is_enabled: z.boolean(), request_url: httpUrl(MAX.requestUrl).optional(), message_menu_options_url: httpUrl(MAX.requestUrl).optional() }).optional(),
        org_deploy_enabled: z.boolean().optional(),
        socket_mode_enabled: z.boolean().optional(),
        is_hosted: z.boolean().optional(),
        token_rotation_enabled: z.boolean().optional(),
        function_runtime: z.enum(['remote', 'slack']).optional(),
      })
      .optional(),
    functions: z
      .record(z.string().min(1).max(MAX.functionCallbackId, `a step's callback id may have at most ${MAX.functionCallbackId} characters`), fn)
      .refine((m) => Object.keys(m).length <= MAX.functions, `Slack allows at most ${MAX.functions} steps`)
      .optional(),
  })
  .superRefine((m, ctx) => {
    const version = m._metadata?.major_version ?? 1;
    for (const [id, step] of Object.entries(m.functions ?? {})) {
      for (const key of ['input_parameters', 'output_parameters'] as const) {
        const params = step[key];
        if (params === undefined) continue;
        const path = ['functions', id, key];
        const isV2Shape = typeof params === 'object' && params !== null && 'properties' in params && typeof (params as { properties: unknown }).properties === 'object';
        if (version !== 2 && isV2Shape) {
          ctx.addIssue({ code: 'custom', path, message: 'uses the version 2 shape (properties + required) but the manifest is version 1: add _metadata: {major_version: 2} (Slack reads a manifest without _metadata as version 1)' });
          continue;
        }
        const parsed = (version === 2 ? parametersV2 : parametersV1).safeParse(params);
        if (!parsed.success) for (const issue of parsed.error.issues) ctx.addIssue({ code: 'custom', path: [...path, ...issue.path.map(String)], message: issue.message });
      }
    }
    // Custom steps: only org-ready apps may declare them, and an app that runs them itself says so.
    if (m.functions && Object.keys(m.functions).length > 0) {
      if (m.settings?.org_deploy_enabled !== true) ctx.addIssue({ code: 'custom', path: ['settings', 'org_deploy_enabled'], message: 'must be true: Slack accepts custom steps (functions) only in org-ready apps' });
      if (m.settings?.function_runtime !== 'remote') ctx.addIssue({ code: 'custom', path: ['settings', 'function_runtime'], message: 'must be remote: the steps run in this app, not on Slack' });
      if (!m.settings?.event_subscriptions?.bot_events?.includes('function_executed')) ctx.addIssue({ code: 'custom', path: ['settings', 'event_subscriptions', 'bot_events'], message: 'must include function_executed, or the steps never reach the app' });
    }
    // A message event is delivered only with the scope that reads that kind of conversation (Slack refuses the
    // manifest otherwise): the experts' channel's thread replies (message.channels / message.groups).
    for (const [event, scope] of MESSAGE_EVENT_SCOPES) {
      if (m.settings?.event_subscriptions?.bot_events?.includes(event) && !m.oauth_config?.scopes?.bot?.includes(scope)) {
        ctx.addIssue({ code: 'custom', path: ['oauth_config', 'scopes', 'bot'], message: `must include ${scope}: the bot event ${event} needs it` });
      }
    }
  });

/** Each message event and the bot scope Slack requires for it. */
const MESSAGE_EVENT_SCOPES: readonly (readonly [string, string])[] = [
  ['message.im', 'im:history'],
  ['message.channels', 'channels:history'],
  ['message.groups', 'groups:history'],
  ['message.mpim', 'mpim:history'],
];

/** Every way `manifest` breaks Slack's rules, one line each ("features.shortcuts.0.name: …"); [] when it is fine. */
export function slackManifestProblems(manifest: unknown): string[] {
  const parsed = slackManifestSchema.safeParse(manifest);
  if (parsed.success) return [];
  return parsed.error.issues.map((i) => `${i.path.length > 0 ? i.path.join('.') : '(top level)'}: ${i.message}`);
}
