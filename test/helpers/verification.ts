import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { parse, stringify } from 'yaml';
import type { Destination, Notifier, NotifyPlatform, Sent } from '../../adapters/notify.ts';
import type { Reply } from '../../src/index.ts';
import { FIXTURE_KNOWLEDGE_FILE } from './fixtures.ts';

// For the verification suites: a copy of the fixture knowledge with some topics' dates, verifiers and intervals
// changed, and a Notifier that records what it is asked to send.

export const VERIFIER_SLACK = 'U0VERIFY1';
export const VERIFIER_TEAMS = '3c2b1a09-8f7e-4d6c-9b5a-4e3d2c1b0a99';
const DAY = 86_400_000;

/** YYYY-MM-DD `days` before `now`. */
export const daysAgo = (days: number, now = Date.now()): string => new Date(now - days * DAY).toISOString().slice(0, 10);

export interface TopicChange {
  lastVerified?: string;
  verifiers?: string[];
  reviewEveryDays?: number;
}

/**
 * The fixture knowledge (one inline file) with `changes` per topic id, written to a temp file; `others`: what every
 * other topic gets (a recent lastVerified keeps a test's premise true whatever day it runs).
 */
export function knowledgeWith(changes: Record<string, TopicChange>, others: TopicChange = {}): { file: string; cleanup: () => void } {
  const data = parse(readFileSync(FIXTURE_KNOWLEDGE_FILE, 'utf8')) as { topics: Record<string, unknown>[] };
  for (const t of data.topics) Object.assign(t, changes[t.id as string] ?? others);
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-verify-kb-'));
  const file = path.join(dir, 'knowledge.yml');
  writeFileSync(file, stringify(data, { lineWidth: 0 }));
  return { file, cleanup: () => rmSync(dir, { recursive: true, force: true }) };
}

/** A Notifier that records every send; `fail(id)` makes sends to that person fail. */
export class RecordingNotifier implements Notifier {
  sent: { to: Destination; reply: Reply }[] = [];
  private failing = new Map<string, { error: string; retryable: boolean }>();
  constructor(private readonly on: NotifyPlatform[] = ['slack', 'teams']) {}
  platforms(): ReadonlySet<NotifyPlatform> {
    return new Set(this.on);
  }
  fail(userId: string, retryable: boolean): void {
    this.failing.set(userId, { error: `${userId} cannot be reached`, retryable });
  }
  heal(): void {
    this.failing.clear();
  }
  async send(to: Destination, reply: Reply): Promise<Sent> {
    const who = to.kind === 'person' ? to.userId : to.channelId;
    const failure = this.failing.get(who);
    if (failure) return { ok: false, ...failure };
    this.sent.push({ to, reply });
    return { ok: true, ref: `ref-${this.sent.length}`, channelId: `D-${who}` };
  }
}
