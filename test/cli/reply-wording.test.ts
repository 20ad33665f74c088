import { describe, expect, it } from 'vitest';
import { fixtureKnowledge } from '../helpers/fixtures.ts';
import { runCli } from '../helpers/run-cli.ts';

// What a person noticed in a real client (issue 11), as the terminal shows it: `coexist-advisor ask` goes through
// the same router as Slack and Teams, and every text command draws the same reply.

const out = async (...args: string[]) => {
  const r = await runCli(args);
  expect(r.code, r.stderr).toBe(0);
  return r.stdout;
};
/** The setups in the order an answer shows them. */
const setupOrder = (text: string) => text.split('\n').map((l) => /^(Co-Existence|API only)\b/.exec(l)?.[1]).filter(Boolean);

describe('need labels are written as the knowledge writes them', () => {
  it('"CRM integration" keeps its capitals in the recommendation', async () => {
    const text = await out('recommend', '--country', 'IN', '--agents', '2', '--need', 'automation', '--need', 'crm-integration', '--need', 'chat-backups', '--need', 'calls');
    expect(text.replace(/\s+/g, ' ')).toMatch(/Both setups cover these needs: Chatbots and automated workflows and CRM integration\./);
    for (const need of fixtureKnowledge().needs) {
      const lowered = need.label.charAt(0).toLowerCase() + need.label.slice(1);
      if (lowered !== need.label) expect(text.replace(/\s+/g, ' ')).not.toContain(lowered);
    }
  });
});

describe('no unexplained marker in a comparison', () => {
  it('compare names the help-article verdict on its row, no bare "*"', async () => {
    const text = await out('compare');
    expect(text).toMatch(/^Voice & video calls \(help article outdated\)\s+✅ Yes\s+❌ No$/m);
    expect(text).not.toMatch(/\*/);
  });

  it('the recommendation lists the rows that matter, the same way', async () => {
    const text = await out('recommend', '--country', 'IN', '--need', 'calls');
    expect(text).toMatch(/How the setups compare here\n(.*\n)*\s+Voice & video calls \(help article outdated\)\s+✅ Yes\s+❌ No/);
    expect(text).not.toMatch(/\*/);
  });
});

describe('an answer leads with the setup the question asked about', () => {
  it('"can we make calls with the api?" shows API only first, then Co-Existence', async () => {
    expect(setupOrder(await out('ask', 'can we make calls with the api?'))).toEqual(['API only', 'Co-Existence']);
  });
  it('a question naming Co-Existence, or neither, shows Co-Existence first', async () => {
    expect(setupOrder(await out('ask', 'can we make calls with coexistence?'))).toEqual(['Co-Existence', 'API only']);
    expect(setupOrder(await out('ask', 'calls'))).toEqual(['Co-Existence', 'API only']);
  });
});

describe('a greeting gets a greeting', () => {
  for (const hello of ['hi', 'hello', 'namaste', 'good morning']) {
    it(`ask "${hello}": a greeting and examples, not the off-topic reply`, async () => {
      const text = await out('ask', hello);
      expect(text).toMatch(/^👋 Hi!/);
      expect(text).toMatch(/coexist-advisor ask "calls"/);
      expect(text).not.toMatch(/I only know about/);
    });
  }
  it('--json keeps the answer() contract: no topic for a greeting', async () => {
    expect(JSON.parse(await out('ask', 'hi', '--json')).topic).toBeNull();
  });
});

describe('the help-article warning stands out', () => {
  it('starts with ⚠️ on a line of its own', async () => {
    expect(await out('ask', 'delete for everyone')).toMatch(/^⚠️ {2}The help article is outdated here\. It says:/m);
  });
});

describe('a status means something for its row, or the row shows words', () => {
  it('Pricing and "Who each setup suits" show words in compare', async () => {
    const lines = (await out('compare')).split('\n');
    for (const title of ['Pricing', 'Who each setup suits']) {
      const at = lines.indexOf(title);
      expect(at, title).toBeGreaterThan(0);
      const words = lines.slice(at + 1, at + 5).join(' ');
      expect(words).toMatch(/Co-Existence: \w+/);
      expect(words).toMatch(/API only: \w+/);
      expect(lines[at + 1]).not.toMatch(/✅|❌|⚠️/);
    }
  });

  it('the answer about pricing shows no status beside either setup', async () => {
    const text = await out('ask', 'pricing');
    const headings = text.split('\n').filter((l) => /^(Co-Existence|API only)\b/.test(l));
    expect(headings).toHaveLength(2);
    for (const h of headings) expect(h).not.toMatch(/✅|❌|⚠️/);
  });
});
