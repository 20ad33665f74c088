import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { escapeMrkdwn, truncate, userMrkdwn } from '../../adapters/slack/text.ts';
import { escapeMarkdown } from '../../adapters/teams/markdown.ts';

const hostile = fc.oneof(
  fc.string({ unit: 'grapheme', maxLength: 400 }),
  fc.constantFrom('<!channel>', '<!here|here>', '<@U123>', '<#C123|general>', '*bold* _it_ ~s~ `code`', '[x](https://evil.example)', '<https://evil.example|click>', '‮RTL‬', 'zero​width‌joiner', '😀👍🏽🇮🇳', '&amp;&lt;', '<at>Everyone</at>', '# h1\n- item\n> quote'),
  fc.array(fc.constantFrom('<', '>', '&', '*', '_', '[', ']', '(', ')', '#', '\\', '`', '!', '|', 'a', ' ', '\n'), { maxLength: 200 }).map((a) => a.join('')),
);

describe('Slack mrkdwn escaping', () => {
  it('leaves no control character: no < or >, every & starts an entity', () => {
    fc.assert(
      fc.property(hostile, (s) => {
        const out = escapeMrkdwn(s);
        expect(out).not.toMatch(/[<>]/);
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toContain('&');
        expect(out.replace(/&lt;/g, '<').replace(/&gt;/g, '>').replace(/&amp;/g, '&')).toBe(s);
      }),
      { numRuns: 500 },
    );
  });

  it('cuts to the limit without breaking an entity or a character', () => {
    fc.assert(
      fc.property(hostile, fc.integer({ min: 2, max: 300 }), (s, max) => {
        const out = userMrkdwn(s, max);
        expect(out.length).toBeLessThanOrEqual(max);
        expect(out.replace(/&(amp|lt|gt);/g, '')).not.toMatch(/[&<>]/);
        expect(out).not.toMatch(/[\ud800-\udbff]$|[\ud800-\udbff]…$/);
      }),
      { numRuns: 500 },
    );
    expect(truncate('abcdef', 4)).toBe('abc…');
  });
});

describe('Teams markdown escaping', () => {
  it('every formatting character is escaped, and the text reads back exactly', () => {
    fc.assert(
      fc.property(hostile.map((s) => s.replace(/\r?\n/g, ' ')), (s) => {
        const out = escapeMarkdown(s);
        // Remove escaped pairs; what is left must contain no markdown control character.
        expect(out.replace(/\\[\\`*_{}[\]()#+\-.!<>~|=&]/g, '')).not.toMatch(/[\\`*_{}[\]()#+\-.!<>~|=&]/);
        expect(out.replace(/\\([\\`*_{}[\]()#+\-.!<>~|=&])/g, '$1')).toBe(s);
      }),
      { numRuns: 500 },
    );
  });
});
