import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { FakeConnector } from '../helpers/fake-connector.ts';
import { clickButton, startBothPlatforms, stopBothPlatforms, type BothPlatforms } from '../helpers/both-platforms.ts';
import { onBothStores, type StoreEnv } from '../helpers/postgres.ts';
import { slackLimitViolations } from '../helpers/slack-limits.ts';
import { recommendationRecord } from '../helpers/store.ts';
import { teamsActivity, type Scope } from '../helpers/teams-activity.ts';

// Who sees which recommendations, against the running product (signed Slack requests, Teams activities), on SQLite
// and on PostgreSQL. Recommendations from several sellers in two Slack workspaces and two Teams tenants; then the
// history, App Home and forged Open / Edit values from a third user, a forged team_id, another tenant and a
// SALES_LEADS member.

type Block = Record<string, any>;
const HOUR = 3_600_000;
const LEAD_SLACK = 'U0LEAD01';
const LEAD_AAD = '7c1e2d3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f';

/** Every customer seeded, by the id of its recommendation. */
const CUSTOMERS = {
  ALFA0001: 'Alfa Shared Channel',
  BRAV0001: 'Bravo Private Channel',
  MINE0001: 'Mine Own Deal',
  DEEP0001: 'Deep Channel Deal',
  CHAR0001: 'Charlie Other Workspace',
  LEGM0001: 'Legacy Mine',
  LEGO0001: 'Legacy Other',
  TINA0001: 'Tina Personal',
  TINA0002: 'Tina Group',
  ASHA0001: 'Asha Own',
  OMAR0001: 'Omar Other Tenant',
  LEGT0001: 'Legacy Tina',
} as const;
type Id = keyof typeof CUSTOMERS;
const ALL_IDS = Object.keys(CUSTOMERS) as Id[];

/** Which seeded customers a text shows. */
const shown = (text: string): Id[] => ALL_IDS.filter((id) => text.includes(CUSTOMERS[id]));

/** U_AGENT is in 450 channels; C_SHARED is among the first, C_DEEP the last (the third page of 200). */
const AGENT_CHANNELS = ['C_SHARED', ...Array.from({ length: 448 }, (_, i) => `C_FILL${i}`), 'C_DEEP'];

function click(h: BothPlatforms, user: string, team: string, action: { action_id: string; value: string }, where: 'message' | 'home' = 'message') {
  return clickButton(h, user, action, { where, team });
}

function scoped(kind: 'SQLite' | 'PostgreSQL', env: StoreEnv) {
  describe(`who sees which history, on ${kind}`, () => {
    let h: BothPlatforms;
    let cleanup: (() => Promise<void>) | undefined;

    /** `/coexist-vs-api history` as `user` of `team`: what the response URL got. */
    async function slackHistory(user: string, team: string, text = 'history', slackFails = false): Promise<string> {
      h.fake.reset();
      if (slackFails) h.fake.fail({ method: 'users.conversations', error: 'missing_scope' });
      expect((await h.slack.command(text, { user_id: user, team_id: team })).status).toBe(200);
      const [reply] = await h.fake.waitFor('response_url');
      expect(slackLimitViolations(reply!.args)).toEqual([]);
      expect(reply!.args.response_type).toBe('ephemeral');
      return JSON.stringify(reply!.args.blocks);
    }

    /** A Teams activity from `from` in `tenant`; what the bot sent back. */
    async function teams(fields: Record<string, unknown>, from: Record<string, unknown>, tenant = 'tenant-1', scope: Scope = 'personal') {
      const activity = teamsActivity(h.connector.url, { from, ...fields }, scope);
      activity.conversation = { ...(activity.conversation as Block), tenantId: tenant };
      activity.channelData = { tenant: { id: tenant } };
      const res = await fetch(`${h.product.url}/api/messages`, { method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify(activity) });
      expect(res.status).toBeLessThan(300);
      const calls = h.connector.calls.splice(0);
      expect(calls).toHaveLength(1);
      return JSON.stringify(calls[0]!.activity);
    }
    const ASHA = { id: '29:user-asha', name: 'Asha Agent', aadObjectId: 'aad-asha' };
    const LEAD = { id: '29:lead', name: 'Lee Lead', aadObjectId: LEAD_AAD };

    beforeAll(async () => {
      const made = await env();
      cleanup = made.cleanup;
      h = await startBothPlatforms({ ...made.env, SALES_LEADS: `${LEAD_SLACK}, ${LEAD_AAD.toUpperCase()}` });
      h.fake.memberships.set('U_AGENT', AGENT_CHANNELS);
      h.fake.memberships.set(LEAD_SLACK, ['C_DEALS']);
      const now = Date.now();
      let n = 0;
      const rec = (id: Id, extra: Record<string, unknown>) =>
        recommendationRecord({ customer: CUSTOMERS[id], country: 'IN', needs: ['calls'] }, { id, at: now - HOUR - n++ * 60_000, messageRef: `m${n}`, ...extra });
      await h.product.store.store!.recordRecommendations([
        rec('ALFA0001', { userId: 'U_SELLER_A', workspace: 'T1', channelId: 'C_SHARED' }),
        rec('BRAV0001', { userId: 'U_SELLER_A', workspace: 'T1', channelId: 'G_PRIVATE' }),
        rec('MINE0001', { userId: 'U_AGENT', workspace: 'T1', channelId: 'D_AGENT' }),
        rec('DEEP0001', { userId: 'U_SELLER_A', workspace: 'T1', channelId: 'C_DEEP' }),
        // Another workspace, in a channel with the same id as one U_AGENT is in.
        rec('CHAR0001', { userId: 'U_SELLER_B', workspace: 'T2', channelId: 'C_SHARED' }),
        // Made before recommendations recorded their workspace.
        rec('LEGM0001', { userId: 'U_AGENT', channelId: 'C_OLD' }),
        rec('LEGO0001', { userId: 'U_SELLER_A', channelId: 'C_SHARED' }),
        rec('TINA0001', { platform: 'teams', userId: 'aad-tina', workspace: 'tenant-1', channelId: 'a:tina-chat' }),
        rec('TINA0002', { platform: 'teams', userId: 'aad-tina', workspace: 'tenant-1', channelId: '19:group-chat@thread.v2' }),
        rec('ASHA0001', { platform: 'teams', userId: 'aad-asha', workspace: 'tenant-1', channelId: 'a:personal-chat-1' }),
        rec('OMAR0001', { platform: 'teams', userId: 'aad-omar', workspace: 'tenant-2', channelId: 'a:omar-chat' }),
        rec('LEGT0001', { platform: 'teams', userId: 'aad-tina', channelId: 'a:tina-chat' }),
      ] as never);
    });
    afterAll(async () => {
      await stopBothPlatforms(h);
      await cleanup?.();
    });
    beforeEach(() => h.connector.reset());

    it('Slack: a seller sees their own and those made in channels they are in (asked of Slack, every page), nothing else', async () => {
      const all = await slackHistory('U_AGENT', 'T1');
      expect(shown(all).sort()).toEqual(['ALFA0001', 'DEEP0001', 'LEGM0001', 'MINE0001']);
      const asked = h.fake.callsTo('users.conversations');
      expect(asked.length).toBeGreaterThanOrEqual(3);
      expect(asked.every((c) => c.args.user === 'U_AGENT')).toBe(true);
      expect(all).toMatch(/yours and those made in channels you are in/i);
    });

    it('Slack: a forged or foreign team_id sees nothing of this workspace', async () => {
      const all = await slackHistory('U_AGENT', 'T_FORGED');
      expect(shown(all)).toEqual(['LEGM0001']); // their own, from before workspaces were recorded
      expect(shown(await slackHistory('U_SELLER_B', 'T2'))).toEqual(['CHAR0001']);
    });

    it('Slack: a SALES_LEADS member sees all of their own workspace, and only it', async () => {
      const all = await slackHistory(LEAD_SLACK, 'T1');
      expect(shown(all).sort()).toEqual(['ALFA0001', 'BRAV0001', 'DEEP0001', 'MINE0001']);
      expect(all).toMatch(/everyone's in this workspace/i);
      expect(shown(await slackHistory(LEAD_SLACK, 'T2'))).toEqual(['CHAR0001']);
    });

    it('Slack: when Slack cannot say which channels, own only, and the list says so', async () => {
      const mine = await slackHistory('U_SELLER_A', 'T1', 'history', true);
      // Their own (Alfa, Bravo, Deep, and Legacy Other from before workspaces were kept), nothing of U_AGENT's.
      expect(shown(mine).sort()).toEqual(['ALFA0001', 'BRAV0001', 'DEEP0001', 'LEGO0001']);
      expect(mine).toMatch(/only your own: I could not ask Slack/i);
      const other = await slackHistory('U_OTHER_USER', 'T1', 'history', true);
      expect(shown(other)).toEqual([]);
      expect(other).toMatch(/only your own/i);
      // Logged for the operator, at most once a minute.
      expect(h.product.logs.lines.filter((l) => /users\.conversations failed/.test(l.msg))).toHaveLength(1);
    });

    it('Slack: App Home lists your own, not others\'', async () => {
      h.fake.reset();
      await h.slack.event({ type: 'app_home_opened', user: 'U_AGENT', channel: 'D_AGENT', tab: 'home', event_ts: `${Date.now()}.1` });
      const [home] = await h.fake.waitFor('views.publish');
      expect(shown(JSON.stringify(home!.args.view)).sort()).toEqual(['LEGM0001', 'MINE0001']);
    });

    it('Slack: forged Open and Edit values for someone else\'s entry say "not found" and show nothing of it', async () => {
      for (const [action_id, id] of [['open_recommendation', 'BRAV0001'], ['edit_recommendation', 'BRAV0001'], ['open_recommendation', 'CHAR0001'], ['open_recommendation', 'LEGO0001'], ['open_recommendation', 'TINA0001']] as const) {
        h.fake.reset();
        await click(h, 'U_AGENT', 'T1', { action_id, value: id });
        const [reply] = await h.fake.waitFor('response_url');
        const text = JSON.stringify(reply!.args);
        expect(text).toMatch(new RegExp(`cannot find recommendation ${id}`));
        expect(shown(text)).toEqual([]);
        await h.product.slack!.drain();
        expect(h.fake.callsTo('views.open')).toEqual([]);
      }
      // From App Home: a modal that says the same.
      h.fake.reset();
      await click(h, 'U_AGENT', 'T1', { action_id: 'open_recommendation', value: 'BRAV0001' }, 'home');
      const [modal] = await h.fake.waitFor('views.open');
      expect(JSON.stringify(modal!.args.view)).toMatch(/cannot find recommendation BRAV0001/);
      expect(shown(JSON.stringify(modal!.args.view))).toEqual([]);
      // And the lead, in another workspace, is no lead there.
      h.fake.reset();
      await click(h, LEAD_SLACK, 'T2', { action_id: 'open_recommendation', value: 'BRAV0001' });
      expect(shown(JSON.stringify((await h.fake.waitFor('response_url'))[0]!.args))).toEqual([]);
    });

    it('Slack: Open works for what you may see; Edit never pre-selects a channel you did not post to', async () => {
      h.fake.reset();
      await click(h, 'U_AGENT', 'T1', { action_id: 'open_recommendation', value: 'ALFA0001' });
      expect(shown(JSON.stringify((await h.fake.waitFor('response_url'))[0]!.args))).toEqual(['ALFA0001']);

      h.fake.reset();
      await click(h, 'U_AGENT', 'T1', { action_id: 'edit_recommendation', value: 'ALFA0001' }, 'home');
      const [form] = await h.fake.waitFor('views.open');
      const view = JSON.stringify(form!.args.view);
      expect(view).toContain(CUSTOMERS.ALFA0001);
      expect(view).not.toContain('C_SHARED');

      // The lead may open the private channel's entry, but Edit does not pick that channel for them.
      h.fake.reset();
      await click(h, LEAD_SLACK, 'T1', { action_id: 'edit_recommendation', value: 'BRAV0001' }, 'home');
      const [leadForm] = await h.fake.waitFor('views.open');
      expect(JSON.stringify(leadForm!.args.view)).toContain(CUSTOMERS.BRAV0001);
      expect(JSON.stringify(leadForm!.args.view)).not.toContain('G_PRIVATE');

      // Your own: back to where you posted it.
      h.fake.reset();
      await click(h, 'U_AGENT', 'T1', { action_id: 'edit_recommendation', value: 'MINE0001' }, 'home');
      expect(JSON.stringify((await h.fake.waitFor('views.open'))[0]!.args.view)).toContain('D_AGENT');
    });

    it('Teams: a seller sees their own in their tenant; another tenant sees none of it; the list says whose it is', async () => {
      const mine = await teams({ text: 'history' }, ASHA);
      expect(shown(mine)).toEqual(['ASHA0001']);
      expect(mine).toMatch(/yours/i);
      expect(shown(await teams({ text: 'history' }, ASHA, 'tenant-2'))).toEqual([]);
    });

    it('Teams: a SALES_LEADS member sees all of their tenant, and only it', async () => {
      const all = await teams({ text: 'history' }, LEAD);
      expect(shown(all).sort()).toEqual(['ASHA0001', 'TINA0001', 'TINA0002']);
      expect(all).toMatch(/everyone's in this organisation/i);
      expect(shown(await teams({ text: 'history' }, LEAD, 'tenant-2'))).toEqual(['OMAR0001']);
    });

    it('Teams: forged Open and Edit ids for someone else\'s entry say "not found" and show nothing of it', async () => {
      for (const value of [{ action: 'openRecommendation', id: 'TINA0001' }, { action: 'recommend.edit', id: 'TINA0002' }, { action: 'openRecommendation', id: 'OMAR0001' }, { action: 'openRecommendation', id: 'ALFA0001' }]) {
        const reply = await teams({ text: '', value, replyToId: 'history-card' }, ASHA);
        expect(reply).toMatch(new RegExp(`cannot find recommendation ${value.id}`));
        expect(shown(reply)).toEqual([]);
      }
      // Your own opens.
      expect(shown(await teams({ text: '', value: { action: 'openRecommendation', id: 'ASHA0001' }, replyToId: 'history-card' }, ASHA))).toEqual(['ASHA0001']);
    });

    it('Teams: asked in a channel, the bot says truthfully why the list is not shown there', async () => {
      const said = await teams({ text: 'history' }, ASHA, 'tenant-1', 'channel');
      expect(said).not.toMatch(/stays yours/);
      expect(said).toMatch(/only in a personal chat/);
      expect(shown(said)).toEqual([]);
    });
  });
}

onBothStores(scoped);
