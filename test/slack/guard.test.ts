import { HTTPModuleFunctions } from '@slack/bolt';
import type { IncomingMessage } from 'node:http';
import { describe, expect, it } from 'vitest';
import { shapeProblem, timestampProblem } from '../../adapters/slack/guard.ts';

// The pre-Bolt shape check reads the raw text instead of parsing it. It must agree with what Bolt then parses:
// whatever it lets through, Bolt's own parser turns into an object (or refuses as malformed); it refuses only
// bodies Bolt would turn into something else (null, a number, a string, an array). Checked against Bolt's parser
// on every combination of tricky keys, prefixes and values.

const FORM = 'application/x-www-form-urlencoded';

/** What Bolt 5.1 makes of a body: `object`, another JSON kind, or `throws` (it answers 400 for that). */
function boltParses(body: string, contentType: string): string {
  const req = { rawBody: Buffer.from(body), headers: { 'content-type': contentType } } as unknown as IncomingMessage & { rawBody: Buffer };
  try {
    const parsed: unknown = HTTPModuleFunctions.parseHTTPRequestBody(req);
    return parsed === null ? 'null' : Array.isArray(parsed) ? 'array' : typeof parsed;
  } catch {
    return 'throws';
  }
}

const keys = ['payload', 'pay%6Coad', '%70%61%79%6c%6f%61%64', 'payload+', 'Payload', 'payloa', 'p%2Bayload', 'x'];
const prefixes = ['', '+', '%20', '%0A', '%09+%0d', ' ', '%', '%2', '%zz', '%EF%BB%BF'];
const values = ['{}', '%7B%7D', '%7B%22a%22%3A1%7D', '%7Bnot', 'null', '5', '%5B%5D', '[]', '%22x%22', 'true', '', '%7b%7d'];

describe('the shape check agrees with Bolt’s parser', () => {
  it('on forms', () => {
    let checked = 0;
    for (const key of keys) {
      for (const prefix of prefixes) {
        for (const value of values) {
          for (const form of [`${key}=${prefix}${value}`, `token=t&${key}=${prefix}${value}&team_id=T1`]) {
            const bolt = boltParses(form, FORM);
            const ours = shapeProblem(Buffer.from(form), FORM);
            // Let through: Bolt gets an object or refuses it itself. Refused: Bolt would not have had an object.
            if (ours === undefined) expect(['object', 'throws'], form).toContain(bolt);
            else expect(bolt, form).not.toBe('object');
            checked++;
          }
        }
      }
    }
    expect(checked).toBe(keys.length * prefixes.length * values.length * 2);
  });

  it('on JSON bodies and other content types', () => {
    for (const body of ['{}', ' \n\t{"a":1}', '{not', 'null', ' null', '5', '[]', '[{}]', '"x"', 'true', '', '\uFEFF{}', 'payload=%7B%7D']) {
      for (const type of ['application/json', 'application/json; charset=utf-8', `${FORM}; charset=utf-8`, 'text/plain']) {
        const bolt = boltParses(body, type);
        if (shapeProblem(Buffer.from(body), type) === undefined) expect(['object', 'throws'], `${type} ${body}`).toContain(bolt);
        else expect(bolt, `${type} ${body}`).not.toBe('object');
      }
    }
  });

  it('lets every ordinary Slack body through', () => {
    expect(shapeProblem(Buffer.from('token=t&command=%2Fcoexist-vs-api&text=calls&response_url=https%3A%2F%2Fhooks.slack.com%2Fx'), FORM)).toBeUndefined();
    expect(shapeProblem(Buffer.from(`payload=${encodeURIComponent(JSON.stringify({ type: 'block_actions', actions: [] }))}`), FORM)).toBeUndefined();
    expect(shapeProblem(Buffer.from('ssl_check=1&token=t'), FORM)).toBeUndefined();
    expect(shapeProblem(Buffer.from(JSON.stringify({ type: 'event_callback', event: { type: 'message' } })), 'application/json')).toBeUndefined();
  });
});

describe('the timestamp window', () => {
  const now = 1_800_000_000_000;
  const at = (skew: number) => String(now / 1000 + skew);
  it('is five minutes both ways', () => {
    expect(timestampProblem(at(0), now)).toBeUndefined();
    expect(timestampProblem(at(300), now)).toBeUndefined();
    expect(timestampProblem(at(-300), now)).toBeUndefined();
    expect(timestampProblem(at(301), now)).toMatch(/future/);
    expect(timestampProblem(at(-301), now)).toMatch(/old/);
  });
  it('leaves a missing or unreadable header to Bolt, which refuses it unless it is an ssl_check', () => {
    expect(timestampProblem(undefined, now)).toBeUndefined();
    expect(timestampProblem('soon', now)).toBeUndefined();
  });
});
