import { createRequire } from 'node:module';
import path from 'node:path';
import type { App as BoltApp, HTTPReceiver as BoltHTTPReceiver } from '@slack/bolt';

// Bolt's App and HTTPReceiver, loaded from their own files rather than the package's index. The index also loads the
// ExpressReceiver (express and its middleware), the AWS Lambda receiver, the OAuth package's index and the Assistant
// helpers, none of which this app uses: about 7 MB of resident memory and 100-190 ms at start with Slack on (the
// index 70.6 MB and 360 ms in a bare node, App.js 63.8 MB and 172 ms, measured once each). App.js itself still loads the
// Socket Mode receiver, which Socket Mode needs. Types come from the package as usual; only values come from here.
// @slack/bolt has no "exports" map, so these paths are reachable; test/slack/* fail at once if a Bolt release moves them.

const require = createRequire(import.meta.url);

// App.js also requires its Socket Mode receiver, which requires @slack/socket-mode (and with it undici, 1.1 MB of
// JavaScript) at load, though the receiver touches it only when constructed (`new SocketModeClient(…)`), which happens
// only with SLACK_APP_TOKEN set. Until then Bolt gets a stand-in in Node's require.cache (documented: "adding or
// replacing entries is possible") that loads the real module on first use: about 7 MB of resident memory less over
// HTTP (measured in a bare node: App.js and HTTPReceiver 63.8 MB, 56.4 MB without it). test/slack/socket-mode.test.ts
// starts the app in Socket Mode through the stand-in.
deferUntilUsed(require.resolve('@slack/socket-mode', { paths: [path.dirname(require.resolve('@slack/bolt/dist/receivers/SocketModeReceiver.js'))] }));

function deferUntilUsed(file: string): void {
  if (require.cache[file]) return;
  let real: object | undefined;
  const load = (): object => {
    if (!real) {
      delete require.cache[file];
      real = require(file) as object;
    }
    return real;
  };
  const standIn = new Proxy(
    {},
    {
      get: (_, key) => Reflect.get(load(), key),
      has: (_, key) => Reflect.has(load(), key),
      ownKeys: () => Reflect.ownKeys(load()),
      getOwnPropertyDescriptor: (_, key) => {
        const d = Reflect.getOwnPropertyDescriptor(load(), key);
        return d ? { ...d, configurable: true } : undefined;
      },
    },
  );
  require.cache[file] = { id: file, filename: file, loaded: true, exports: standIn, children: [], paths: [], path: path.dirname(file) } as unknown as NodeJS.Module;
}

export const { default: App } = require('@slack/bolt/dist/App.js') as { default: typeof BoltApp };
export const { default: HTTPReceiver } = require('@slack/bolt/dist/receivers/HTTPReceiver.js') as { default: typeof BoltHTTPReceiver };
export type App = BoltApp;
export type HTTPReceiver = BoltHTTPReceiver;
