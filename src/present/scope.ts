// Who may see which recommendation: the one rule, for the Slack history, App Home, Open and Edit, and the Teams
// history, Open and Edit. The store applies the same scope in SQL (store-queries.ts) so a list can be limited there;
// test/store/store.test.ts checks that both agree on every seeded row. Pure: the adapters find out who is asking
// (their workspace or tenant, which conversations they are in, whether they are in SALES_LEADS) and pass it in.

/** A recommendation as far as the rule is concerned. */
export interface ScopedRecord {
  platform: string;
  /** The Slack workspace (team id) or Teams tenant it was made in; null for records made before this was kept. */
  workspace: string | null;
  userId: string;
  /** Where it was posted (a Slack channel id, a Teams conversation id). */
  channelId: string | null;
}

/** Who is looking, as the adapter found out. */
export interface Viewer {
  platform: 'slack' | 'teams';
  /** The Slack team id or Teams tenant id of the request; undefined when the request names none. */
  workspace: string | undefined;
  userId: string;
  /** Conversations the viewer is in (Slack: asked of Slack; Teams: the channel or group chat asking). */
  conversations: readonly string[];
  /** False when the conversations could not be found out (Slack did not answer): the list is then own only. */
  conversationsKnown: boolean;
  /** In SALES_LEADS: sees every recommendation of their own workspace or tenant. */
  lead: boolean;
}

/** What a viewer may see: the scope of a history query and of Open / Edit by id. */
export interface HistoryScope {
  platform: 'slack' | 'teams';
  /** Null: the request named no workspace; only the viewer's own records without a workspace are visible. */
  workspace: string | null;
  userId: string;
  /** Everything of the workspace (SALES_LEADS). */
  all: boolean;
  /** Records posted in these conversations, in the workspace, are visible too. */
  conversations: readonly string[];
  /** Whose list it is, for the words that say so (whoSees). */
  reach: 'everyone' | 'own-and-conversations' | 'own' | 'own-unchecked';
}

/** Conversations a scope carries at most (a Slack user in more channels sees those made in the first ones found). */
export const MAX_SCOPE_CONVERSATIONS = 2000;

export function historyScope(viewer: Viewer): HistoryScope {
  const workspace = viewer.workspace || null;
  // No workspace, no lead: being a lead only ever opens one's own workspace.
  const all = viewer.lead && workspace !== null;
  const conversations = workspace !== null && viewer.conversationsKnown ? [...new Set(viewer.conversations)].slice(0, MAX_SCOPE_CONVERSATIONS) : [];
  const reach: HistoryScope['reach'] = all
    ? 'everyone'
    : workspace === null
      ? 'own'
      : !viewer.conversationsKnown
        ? 'own-unchecked'
        : viewer.platform === 'teams' && conversations.length === 0
          ? 'own' // a personal chat: no conversation of others to add
          : 'own-and-conversations';
  return { platform: viewer.platform, workspace, userId: viewer.userId, all, conversations, reach };
}

/** A scope for one's own recommendations only (App Home's "Your recent recommendations"). */
export function ownScope(viewer: Pick<Viewer, 'platform' | 'workspace' | 'userId'>): HistoryScope {
  return { platform: viewer.platform, workspace: viewer.workspace || null, userId: viewer.userId, all: false, conversations: [], reach: 'own' };
}

/**
 * Whether `scope` may see `record`:
 * - never a record of another platform, or of another workspace / tenant;
 * - a record without a workspace (made before it was kept): only the person who made it;
 * - in the viewer's workspace: their own, those posted in conversations they are in, and everything for SALES_LEADS.
 */
export function maySee(scope: HistoryScope, record: ScopedRecord): boolean {
  if (record.platform !== scope.platform) return false;
  if (record.workspace === null || record.workspace === '') return record.userId === scope.userId;
  if (scope.workspace === null || record.workspace !== scope.workspace) return false;
  if (scope.all || record.userId === scope.userId) return true;
  return record.channelId !== null && scope.conversations.includes(record.channelId);
}

/**
 * Whether Edit may pre-select the conversation `record` was posted in: only for the person who posted it. Anyone
 * else (a lead, a member of the channel) chooses where to post.
 */
export function mayReuseChannel(scope: HistoryScope, record: ScopedRecord): boolean {
  return maySee(scope, record) && record.userId === scope.userId;
}

/** What the history says about whose entries it lists. */
export function whoSees(scope: HistoryScope): string {
  const where = scope.platform === 'slack' ? 'workspace' : 'organisation';
  switch (scope.reach) {
    case 'everyone':
      return `Everyone's in this ${where} (you are one of the sales leads).`;
    case 'own-and-conversations':
      return scope.platform === 'slack' ? 'Yours and those made in channels you are in.' : 'Yours and those made in this conversation.';
    case 'own-unchecked':
      return scope.platform === 'slack' ? 'Only your own: I could not ask Slack which channels you are in right now.' : 'Yours only.';
    case 'own':
      return 'Yours only.';
  }
}

/** Open or Edit of an entry that does not exist or is not the viewer's to see: the same words, so nothing leaks. */
export const notFoundForYou = (id: string, historyHint: string): string =>
  `I cannot find recommendation ${id} among those you can see: it may be older than the retention period, or not yours to open. ${historyHint}`;

/**
 * Teams, asked for the history (or an entry of it) in a channel or group chat: a bot's reply there is seen by everyone
 * in it, so the list is shown in a personal chat only. Says truthfully what the list holds there.
 */
export const historyOnlyInPersonalChat =
  'The history is shown only in a personal chat with me, because everyone in this conversation would see my reply. ' +
  'Open a chat with me and type history: it lists the recommendations you made (the sales leads see everyone\'s in the organisation).';
