import { describe, expect, it } from 'vitest';
import { historyScope, mayReuseChannel, maySee, notFoundForYou, ownScope, whoSees, type ScopedRecord, type Viewer } from '../../src/index.ts';

// The one rule of who sees which recommendation (src/present/scope.ts), case by case.

const viewer = (extra: Partial<Viewer> = {}): Viewer => ({ platform: 'slack', workspace: 'T1', userId: 'U_ME', conversations: ['C_MINE'], conversationsKnown: true, lead: false, ...extra });
const record = (extra: Partial<ScopedRecord> = {}): ScopedRecord => ({ platform: 'slack', workspace: 'T1', userId: 'U_OTHER', channelId: 'C_ELSEWHERE', ...extra });

describe('who may see a recommendation', () => {
  it('your own, in your workspace, wherever it was posted', () => {
    expect(maySee(historyScope(viewer()), record({ userId: 'U_ME' }))).toBe(true);
  });

  it("someone else's only when posted in a conversation you are in", () => {
    const scope = historyScope(viewer());
    expect(maySee(scope, record({ channelId: 'C_MINE' }))).toBe(true);
    expect(maySee(scope, record())).toBe(false);
    expect(maySee(scope, record({ channelId: null }))).toBe(false);
  });

  it('never another workspace\'s or platform\'s, not even your own id or a channel with the same id there', () => {
    const scope = historyScope(viewer({ lead: true }));
    expect(maySee(scope, record({ workspace: 'T2', userId: 'U_ME', channelId: 'C_MINE' }))).toBe(false);
    expect(maySee(scope, record({ platform: 'teams', userId: 'U_ME' }))).toBe(false);
  });

  it('a sales lead sees all of their own workspace; a lead whose request names none sees only their own older ones', () => {
    expect(maySee(historyScope(viewer({ lead: true })), record())).toBe(true);
    const nowhere = historyScope(viewer({ lead: true, workspace: undefined }));
    expect(nowhere.all).toBe(false);
    expect(maySee(nowhere, record())).toBe(false);
    expect(maySee(nowhere, record({ workspace: null, userId: 'U_ME' }))).toBe(true);
  });

  it('records from before workspaces were kept: only whoever made them, leads and channel members included', () => {
    expect(maySee(historyScope(viewer()), record({ workspace: null, userId: 'U_ME' }))).toBe(true);
    expect(maySee(historyScope(viewer({ lead: true })), record({ workspace: null, channelId: 'C_MINE' }))).toBe(false);
    expect(maySee(historyScope(viewer({ workspace: 'T_ANY' })), record({ workspace: null, userId: 'U_ME' }))).toBe(true);
  });

  it('conversations that could not be found out count for nothing', () => {
    const scope = historyScope(viewer({ conversationsKnown: false }));
    expect(scope.conversations).toEqual([]);
    expect(maySee(scope, record({ channelId: 'C_MINE' }))).toBe(false);
    expect(maySee(scope, record({ userId: 'U_ME' }))).toBe(true);
  });

  it('App Home\'s own scope lists only your own', () => {
    const scope = ownScope({ platform: 'slack', workspace: 'T1', userId: 'U_ME' });
    expect(maySee(scope, record({ channelId: 'C_MINE' }))).toBe(false);
    expect(maySee(scope, record({ userId: 'U_ME' }))).toBe(true);
  });

  it('Edit goes back to the posted channel only for whoever posted it', () => {
    expect(mayReuseChannel(historyScope(viewer()), record({ userId: 'U_ME' }))).toBe(true);
    expect(mayReuseChannel(historyScope(viewer()), record({ channelId: 'C_MINE' }))).toBe(false);
    expect(mayReuseChannel(historyScope(viewer({ lead: true })), record({ channelId: 'G_PRIVATE' }))).toBe(false);
  });
});

describe('what the history says about whose entries it lists', () => {
  it('says it plainly for each case, on each platform', () => {
    expect(whoSees(historyScope(viewer()))).toBe('Yours and those made in channels you are in.');
    expect(whoSees(historyScope(viewer({ lead: true })))).toMatch(/^Everyone's in this workspace/);
    expect(whoSees(historyScope(viewer({ conversationsKnown: false })))).toMatch(/^Only your own: I could not ask Slack/);
    expect(whoSees(historyScope(viewer({ platform: 'teams', workspace: 'tenant', conversations: [] })))).toBe('Yours only.');
    expect(whoSees(historyScope(viewer({ platform: 'teams', workspace: 'tenant', conversations: ['19:chat'] })))).toBe('Yours and those made in this conversation.');
    expect(whoSees(historyScope(viewer({ platform: 'teams', workspace: 'tenant', lead: true })))).toMatch(/^Everyone's in this organisation/);
  });

  it('"not found" is the same for a missing id and someone else\'s', () => {
    expect(notFoundForYou('ABCD1234', 'x')).toMatch(/^I cannot find recommendation ABCD1234 among those you can see/);
  });
});
