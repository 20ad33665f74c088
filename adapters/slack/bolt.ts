import { createRequire } from 'node:module';
import type { App as BoltApp, HTTPReceiver as BoltHTTPReceiver } from '@slack/bolt';

// Bolt's App and HTTPReceiver, loaded from their own files rather than the package's index. The index also loads the
// ExpressReceiver (express and its middleware), the AWS Lambda receiver, the OAuth package's index and the Assistant
// helpers, none of which this app uses: about 7 MB of resident memory and 100-190 ms at start with Slack on (the
// index 70.6 MB and 360 ms in a bare node, App.js 63.8 MB and 172 ms, measured once each). App.js itself still loads the
// Socket Mode receiver, which Socket Mode needs. Types come from the package as usual; only values come from here.
// @slack/bolt has no "exports" map, so these paths are reachable; test/slack/* fail at once if a Bolt release moves them.

const require = createRequire(import.meta.url);

export const { default: App } = require('@slack/bolt/dist/App.js') as { default: typeof BoltApp };
export const { default: HTTPReceiver } = require('@slack/bolt/dist/receivers/HTTPReceiver.js') as { default: typeof BoltHTTPReceiver };
export type App = BoltApp;
export type HTTPReceiver = BoltHTTPReceiver;
