import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { newQuestionId, type QuestionRecord } from '../adapters/store/records.ts';
import { openStore, sqliteTarget, type StoreTarget } from '../adapters/store/store.ts';
import { QUESTIONS } from './http.ts';
import { postgresSchema } from './store.ts';

// node --import tsx bench/store-writes.ts [sqlite|postgres] [ordered]: what one question row costs to write through
// the store as the recorder writes it (store.recordQuestions, batches of 200), as the table grows: wall time and
// CPU time in this process per row, and for PostgreSQL the CPU its server processes spent (read from /proc: the
// server is on this machine). `ordered` uses time-ordered ids instead of newQuestionId()'s random ones (a what-if:
// random primary keys scatter inserts over the whole index). SQLite in a temporary DATA_DIR, PostgreSQL in a fresh
// schema on 127.0.0.1 (as in store.ts); both removed after.

const kind = process.argv[2] ?? 'sqlite';
const ordered = process.argv[3] === 'ordered';
let serial = 0;
const id = () => (ordered ? Date.now().toString(32).padStart(9, '0') + (serial++ % 32768).toString(32).padStart(3, '0') : newQuestionId());

/** CPU time of every postgres process on this machine, in µs. */
function postgresCpuUs(): number {
  let total = 0;
  for (const pid of readdirSync('/proc').filter((d) => /^\d+$/.test(d))) {
    try {
      const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
      if (!stat.includes('(postgres)')) continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      total += (Number(fields[11]) + Number(fields[12])) * 10_000; // utime + stime, in clock ticks of 10 ms
    } catch {
      // a process that ended meanwhile
    }
  }
  return total;
}

let target: StoreTarget;
let cleanup: () => Promise<void>;
if (kind === 'sqlite') {
  const dir = mkdtempSync(path.join(tmpdir(), 'coexist-store-writes-'));
  target = sqliteTarget(dir);
  cleanup = async () => rmSync(dir, { recursive: true, force: true });
} else if (kind === 'postgres') {
  const schema = await postgresSchema();
  if (typeof schema === 'string') throw new Error(`PostgreSQL: ${schema}`);
  target = { kind: 'postgres', url: schema.url };
  cleanup = schema.drop;
} else throw new Error(`store-writes: unknown store "${kind}" (sqlite, postgres)`);

const store = await openStore(target);
try {
  await store.migrate();
  let rows = 0;
  for (const upTo of [20_000, 50_000, 100_000, 200_000]) {
    let wallUs = 0;
    let cpuUs = 0;
    let makeUs = 0;
    const first = rows;
    const server0 = kind === 'postgres' ? postgresCpuUs() : 0;
    while (rows < upTo) {
      const m0 = performance.now();
      const batch: QuestionRecord[] = Array.from({ length: 200 }, (_, i) => ({ id: id(), platform: 'slack', userId: 'U1', text: QUESTIONS[i % QUESTIONS.length]!, topic: 'calls', confidence: 0.8, at: Date.now() }));
      makeUs += (performance.now() - m0) * 1000;
      const c0 = process.cpuUsage();
      const t0 = performance.now();
      await store.recordQuestions(batch);
      wallUs += (performance.now() - t0) * 1000;
      const c = process.cpuUsage(c0);
      cpuUs += c.user + c.system;
      rows += batch.length;
    }
    const n = rows - first;
    const server = kind === 'postgres' ? `, PostgreSQL's processes ${((postgresCpuUs() - server0) / n).toFixed(1)} µs CPU` : '';
    console.log(`${kind}${ordered ? ', time-ordered ids' : ''}, rows ${first}–${upTo}: ${(wallUs / n).toFixed(1)} µs wall, ${(cpuUs / n).toFixed(1)} µs CPU here${server} per row (making the row, id included: ${(makeUs / n).toFixed(1)} µs)`);
  }
} finally {
  await store.close();
  await cleanup();
}
