import path from 'node:path';
import { pathToFileURL } from 'node:url';
import { builtInKnowledge } from '../src/index.ts';
import { jsonLines, scoreQuestions, type Question } from './eval.ts';

// npm run score -- FILE.jsonl [--misses]: top-1 accuracy and off-topic rejection of a question batch against the
// built-in knowledge and model, the way `npm run eval` scores the public set. For a blind batch, run it once
// before the batch joins the training set and record the line it prints (the README keeps the table); only then
// read the misses (--misses).

export function scoreFile(file: string, showMisses: boolean, out: (line: string) => void = (l) => void process.stdout.write(`${l}\n`)): void {
  const questions = jsonLines<Question>(file);
  const s = scoreQuestions(questions, builtInKnowledge());
  const onTopic = s.total - s.offTopic.total;
  const onTopicHits = s.hits - s.offTopic.rejected;
  const pct = (n: number) => `${((n / Math.max(1, s.total)) * 100).toFixed(1)}%`;
  out(
    `${path.basename(file)}: ${s.hits}/${s.total} top-1 (${((s.rate * 100).toFixed(1))}%); right or offered ${s.offered}/${s.total} (${pct(s.offered)}); confidently wrong ${s.confidentlyWrong}/${s.total}; on-topic ${onTopicHits}/${onTopic}; off-topic rejected ${s.offTopic.rejected}/${s.offTopic.total}`,
  );
  for (const [style, v] of Object.entries(s.byStyle).sort()) out(`  ${style}: ${v.hits}/${v.total} top-1, ${v.offered}/${v.total} right or offered`);
  if (showMisses) for (const m of s.misses) out(`  miss: ${m}`);
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  // `npm run score -- FILE | head`: a closed pipe ends the output quietly, not with an unhandled EPIPE.
  process.stdout.on('error', (err: NodeJS.ErrnoException) => {
    if (err.code === 'EPIPE') process.exit(0);
    throw err;
  });
  const args = process.argv.slice(2);
  const files = args.filter((a) => !a.startsWith('--'));
  if (files.length === 0) {
    process.stderr.write('usage: npm run score -- FILE.jsonl [--misses]\n');
    process.exitCode = 2;
  } else {
    try {
      for (const f of files) scoreFile(f, args.includes('--misses'));
    } catch (err) {
      process.stderr.write(`score: ${(err as Error).message}\n`);
      process.exitCode = 1;
    }
  }
}
