import { describe, expect, it } from 'vitest';
import { describeConfig, loadConfig } from '../../adapters/config.ts';
import { knowledgeVersion } from '../../adapters/store/knowledge-version.ts';
import { newQuestionId, newRecommendationId, normaliseRecommendationId, questionKey } from '../../adapters/store/records.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

describe('what the store records', () => {
  it('recommendation ids are 8 characters a person can read out: no I, L, O or U', () => {
    const ids = new Set(Array.from({ length: 2000 }, () => newRecommendationId()));
    expect(ids.size).toBe(2000);
    for (const id of ids) expect(id).toMatch(/^[0-9A-HJKMNP-TV-Z]{8}$/);
    expect(newQuestionId()).toMatch(/^[0-9A-HJKMNP-TV-Z]{16}$/);
    expect(normaliseRecommendationId(' #7k2m9qxa ')).toBe('7K2M9QXA');
  });

  it('questions that differ only in case, spacing or closing punctuation are one line of the report', () => {
    expect(questionKey('  Can we  do CALLS?? ')).toBe(questionKey('can we do calls'));
    expect(questionKey('calls on api')).not.toBe(questionKey('calls on app'));
  });

  it('the knowledge version names the newest verification date and changes with any edit', () => {
    const kb = fixtureKnowledge();
    const v = knowledgeVersion(kb);
    expect(v).toMatch(/^\d{4}-\d{2}-\d{2}\.[0-9a-f]{8}$/);
    expect(knowledgeVersion(structuredClone(kb))).toBe(v);
    const edited = structuredClone(kb);
    (edited.topics[0] as { title: string }).title += ' (edited)';
    expect(knowledgeVersion(edited)).not.toBe(v);
  });
});

describe('the store configuration', () => {
  it('defaults to ./data, 365 days, writes on a thread of their own and no knowledge owners', () => {
    const r = loadConfig({});
    expect(r.ok && r.config.store).toEqual({ target: { kind: 'sqlite', file: `${process.cwd()}/data/coexist-advisor.db` }, retentionDays: 365, recheckDays: 90, writes: 'thread' });
    expect(r.ok && r.config.knowledgeOwners).toEqual([]);
  });

  it('DATABASE_URL switches to PostgreSQL; KNOWLEDGE_OWNERS takes Slack and Teams ids', () => {
    const r = loadConfig({ DATABASE_URL: 'postgresql://advisor:pw@db:5432/advisor', RETENTION_DAYS: '90', KNOWLEDGE_OWNERS: 'U0123ABCD, 8c1f5a2e-1111-2222-3333-444455556666 U0123ABCD' });
    expect(r).toMatchObject({ ok: true, config: { store: { target: { kind: 'postgres', url: 'postgresql://advisor:pw@db:5432/advisor' }, retentionDays: 90 }, knowledgeOwners: ['U0123ABCD', '8c1f5a2e-1111-2222-3333-444455556666'] } });
  });

  it('SALES_LEADS takes Slack and Teams ids like KNOWLEDGE_OWNERS, names a bad one, and the start-up lines say who sees what', () => {
    const r = loadConfig({ SALES_LEADS: 'U0LEAD01, 8c1f5a2e-1111-2222-3333-444455556666 U0LEAD01' });
    expect(r).toMatchObject({ ok: true, config: { salesLeads: ['U0LEAD01', '8c1f5a2e-1111-2222-3333-444455556666'] } });
    expect(r.ok && describeConfig(r.config).join('\n')).toMatch(/History: each person sees their own recommendations .*; 2 SALES_LEADS see all of their own workspace or tenant\./);
    const none = loadConfig({});
    expect(none.ok && none.config.salesLeads).toEqual([]);
    expect(none.ok && describeConfig(none.config).join('\n')).toMatch(/no one is in SALES_LEADS/);
    const bad = loadConfig({ SALES_LEADS: 'U1,<script>' });
    expect(bad.ok ? [] : bad.problems).toEqual(['SALES_LEADS: "<script>" is not a Slack user id (U0123ABCD) or a Teams AAD object id (a GUID)']);
  });

  it('reports every store problem at once with the rest, and never echoes the database URL', () => {
    const r = loadConfig({ PORT: 'x', DATABASE_URL: 'mysql://root:hunter2@db/x', RETENTION_DAYS: '-3', KNOWLEDGE_OWNERS: 'U1,<script>', STORE_WRITES: 'sometimes' });
    expect(r.ok).toBe(false);
    if (r.ok) return;
    const all = r.problems.join('\n');
    for (const name of ['PORT', 'DATABASE_URL', 'RETENTION_DAYS', 'KNOWLEDGE_OWNERS', 'STORE_WRITES']) expect(all).toContain(name);
    expect(loadConfig({ STORE_WRITES: ' Inline ' })).toMatchObject({ ok: true, config: { store: { writes: 'inline' } } });
    expect(all).not.toContain('hunter2');
  });
});
