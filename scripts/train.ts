import { writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { answerWith, builtInKnowledge, type FusionSettings, type Knowledge } from '../src/index.ts';
import { CLASSIFIER } from '../src/matching/thresholds.ts';
import { MODEL_FILE, builtInModel, type ModelFile } from '../src/matching/classifier.ts';
import { DEFAULT_PARAMS, toModelFile, train, type Example } from '../src/matching/train.ts';
import { glossFor } from '../src/matching/gloss.ts';
import { classesOf, inputsHash, knowledgeExamples, lineExamples, readTrainingSet, type TrainingLine } from '../src/matching/training.ts';
import type { TrainParams } from '../src/matching/classifier.ts';
import { judge } from './eval.ts';

// npm run train: trains the classifier from src/knowledge/training/*.jsonl and the built-in knowledge's titles and
// phrasings, and writes src/matching/model.json (checked in, shipped in dist/ by the build).
// npm run train -- --check: exit 1 when model.json is stale (the data, the parameters or the feature code changed).
// Deterministic: the same inputs give the same file.

export interface TrainingInputs {
  knowledge: Knowledge;
  classes: string[];
  examples: Example[];
  hash: string;
  problems: string[];
}

export function trainingInputs(knowledge: Knowledge = builtInKnowledge()): TrainingInputs {
  const classes = classesOf(knowledge);
  const set = readTrainingSet(new Set(knowledge.topics.map((t) => t.id)));
  const examples = glossed([...knowledgeExamples(knowledge), ...set.files.flatMap((f) => lineExamples(f.lines))], knowledge, DEFAULT_PARAMS);
  return { knowledge, classes, examples, hash: inputsHash(examples, classes, DEFAULT_PARAMS), problems: set.problems };
}

export function buildModel(inputs: TrainingInputs = trainingInputs()): ModelFile {
  if (inputs.problems.length > 0) throw new Error(`the training set has problems:\n${inputs.problems.map((p) => `  ${p}`).join('\n')}`);
  const trained = train(inputs.examples, inputs.classes, DEFAULT_PARAMS);
  return toModelFile(trained, inputs.classes, DEFAULT_PARAMS, inputs.hash, inputs.examples);
}

/** Why the checked-in model does not match its inputs, or undefined when it does. */
export function staleness(inputs: TrainingInputs = trainingInputs(), model: ModelFile = builtInModel().file): string | undefined {
  if (inputs.problems.length > 0) return `the training set has problems:\n${inputs.problems.join('\n')}`;
  if (model.inputsHash !== inputs.hash) {
    return `${path.relative(process.cwd(), fileURLToPath(MODEL_FILE))} is stale: the training set, the knowledge's titles or phrasings, the parameters or the feature code changed since it was trained. Run \`npm run train\` and commit the model.`;
  }
  return undefined;
}

/** With `params.gloss`, every example is trained as it will be read: followed by the English of its synonym words. */
function glossed(examples: Example[], kb: Knowledge, params: TrainParams): Example[] {
  if (params.gloss !== 1) return examples;
  const gloss = glossFor(kb.matching.synonyms);
  return examples.map((e) => ({ ...e, text: gloss(e.text) }));
}

/** How --cv splits the training lines: k folds in turn, or one writer / one style held out at a time. */
export type Holdout = 'folds' | 'writer' | 'style';

/**
 * The writer and style of the training files written before lines carried them: each earlier blind batch was one
 * writer, and its style is the one its brief asked for (README, "Blind batches").
 */
const FILE_DEFAULTS: Record<string, { writer: string; style: string }> = {
  'blind-batch-1.jsonl': { writer: 'blind-1', style: 'hinglish' },
  'blind-batch-2.jsonl': { writer: 'blind-2', style: 'scenario' },
  'blind-batch-3.jsonl': { writer: 'blind-3', style: 'plain' },
  'blind-batch-4.jsonl': { writer: 'blind-4', style: 'terse' },
  'blind-batch-5.jsonl': { writer: 'blind-5', style: 'off-topic' },
  'blind-batch-6.jsonl': { writer: 'blind-6', style: 'mixed' },
  'blind-batch-7.jsonl': { writer: 'blind-7', style: 'mixed' },
  'extra.jsonl': { writer: 'team', style: 'mixed' },
  'off-topic.jsonl': { writer: 'team', style: 'off-topic' },
};

/** The group a line is held out with: its fold, its writer, or its style. */
export function holdoutGroup(holdout: Holdout, file: string, line: TrainingLine, index: number, folds: number): string {
  if (holdout === 'folds') return String(index % folds);
  const fallback = FILE_DEFAULTS[file] ?? { writer: file.replace(/\.jsonl$/, ''), style: 'untagged' };
  return holdout === 'writer' ? (line.writer ?? fallback.writer) : (line.style ?? fallback.style);
}

/**
 * Cross-validation of the fused matcher on the training lines (the knowledge's own phrasings always train): how the
 * fusion settings and training parameters would do on questions the classifier has not seen. `folds` splits at
 * random (a writer's lines land on both sides: optimistic); `writer` and `style` hold out one writer or one style at
 * a time, which predicts a stranger's batch. For choosing the values in thresholds.ts and DEFAULT_PARAMS; it never
 * sees a batch that has not been scored.
 */
export function crossValidate(folds = 5, grid: FusionSettings[] = [CLASSIFIER], params: TrainParams = DEFAULT_PARAMS, out = (l: string) => process.stdout.write(`${l}\n`), holdout: Holdout = 'folds', share = 1): { hits: number; offered: number; confidentlyWrong: number; total: number }[] {
  const kb = builtInKnowledge();
  const classes = classesOf(kb);
  const set = readTrainingSet(new Set(kb.topics.map((t) => t.id)));
  const lines: { file: string; line: TrainingLine; group: string }[] = [];
  let n = 0;
  for (const f of set.files) for (const line of f.lines) lines.push({ file: f.name, line, group: holdoutGroup(holdout, f.name, line, n++, folds) });
  const groups = [...new Set(lines.map((l) => l.group))].sort();
  const results = grid.map(() => ({ hits: 0, offered: 0, confidentlyWrong: 0, total: 0, off: 0, offRejected: 0, offShown: 0, byGroup: new Map<string, [number, number]>(), misses: [] as string[] }));
  for (const held of groups) {
    // share < 1 (the learning curve): the same deterministic part of the other groups' lines trains.
    const trainLines = lines.filter((l, i) => l.group !== held && (share >= 1 || ((i * 2654435761) >>> 0) % 1000 < share * 1000)).map((l) => l.line);
    const { classifier } = train(glossed([...knowledgeExamples(kb), ...lineExamples(trainLines)], kb, params), classes, params);
    for (const l of lines.filter((x) => x.group === held)) {
      grid.forEach((settings, g) => {
        const result = answerWith(l.line.q, kb, classifier, settings);
        const got = result.topic;
        const r = results[g]!;
        const { hit: ok, offered, confidentlyWrong } = judge(result, l.line.topics);
        const isOff = l.line.topics[0] === null;
        r.total++;
        if (ok) r.hits++;
        else r.misses.push(`${l.file}: ${JSON.stringify(l.line.q)} expected ${l.line.topics.join('|')}, got ${got} (${result.confidence}${confidentlyWrong ? ', confidently wrong' : ''})`);
        if (offered) r.offered++;
        if (confidentlyWrong) r.confidentlyWrong++;
        if (isOff) {
          r.off++;
          if (got === null) r.offRejected++;
          if (got === null && result.alternatives.length > 0) r.offShown++;
        }
        const bg = r.byGroup.get(held) ?? [0, 0];
        r.byGroup.set(held, [bg[0] + (ok ? 1 : 0), bg[1] + 1]);
      });
    }
  }
  const label = `${holdout === 'folds' ? `${folds}-fold` : `leave-one-${holdout}-out`}${share < 1 ? `, ${Math.round(share * 100)}% of the training lines` : ''}`;
  grid.forEach((settings, g) => {
    const r = results[g]!;
    const byGroup = [...r.byGroup].map(([k, [h, t]]) => `${k} ${h}/${t}`).join(', ');
    const pct = (x: number) => `${((x / r.total) * 100).toFixed(1)}%`;
    out(`cv ${label} ${JSON.stringify(settings)}: top-1 ${r.hits}/${r.total} (${pct(r.hits)}), right or offered ${r.offered}/${r.total} (${pct(r.offered)}), confidently wrong ${r.confidentlyWrong}, off-topic rejected ${r.offRejected}/${r.off} (${r.offShown} of them shown closest topics); ${byGroup}`);
  });
  if (process.env.CV_MISSES) for (const m of results[0]!.misses) out(`  miss: ${m}`);
  return results.map(({ hits, offered, confidentlyWrong, total }) => ({ hits, offered, confidentlyWrong, total }));
}

function main(argv: string[]): number {
  if (argv.includes('--cv')) {
    const grid: FusionSettings[] = [];
    for (const fusionWeight of [0.5, 0.6, 0.7, 0.8]) for (const accept of [0.5, 0.6, 0.7]) for (const offTopicVeto of [0.5, 0.7]) for (const offTopicVetoAllKnown of [0.95]) grid.push({ ...CLASSIFIER, fusionWeight, accept, offTopicVeto, offTopicVetoAllKnown });
    // CV_PARAMS='{"minDf":1}' tries other training parameters.
    const params = { ...DEFAULT_PARAMS, ...(process.env.CV_PARAMS ? (JSON.parse(process.env.CV_PARAMS) as Partial<TrainParams>) : {}) };
    // CV_SETTINGS='[{"fusionWeight":0.6,...}]' compares the given settings (each completed from thresholds.ts).
    const given = process.env.CV_SETTINGS ? (JSON.parse(process.env.CV_SETTINGS) as Partial<FusionSettings>[]).map((s) => ({ ...CLASSIFIER, ...s })) : undefined;
    const settings = given ?? (argv.includes('--grid') ? grid : [CLASSIFIER]);
    // --by writer|style|folds picks one; by default all three, the random folds last (they flatter).
    const by = argv.includes('--by') ? [argv[argv.indexOf('--by') + 1] as Holdout] : (['writer', 'style', 'folds'] as Holdout[]);
    // --curve: the learning curve, writer-held-out top-1 against the share of training lines used.
    const shares = argv.includes('--curve') ? [0.25, 0.5, 0.75, 1] : [1];
    for (const holdout of by) for (const share of shares) crossValidate(5, settings, params, undefined, holdout, share);
    return 0;
  }
  if (argv.includes('--check')) {
    const why = staleness();
    process.stdout.write(why ? `train: ${why}\n` : 'train: model.json is up to date.\n');
    return why ? 1 : 0;
  }
  const started = performance.now();
  const inputs = trainingInputs();
  const model = buildModel(inputs);
  writeFileSync(MODEL_FILE, `${JSON.stringify(model)}\n`);
  const ms = Math.round(performance.now() - started);
  process.stdout.write(
    `train: ${inputs.examples.length} examples, ${model.classes.length} classes, ${model.features.length} features → ${path.relative(process.cwd(), fileURLToPath(MODEL_FILE))} (${ms} ms)\n`,
  );
  return 0;
}

if (process.argv[1] && import.meta.url === pathToFileURL(path.resolve(process.argv[1])).href) {
  try {
    process.exitCode = main(process.argv.slice(2));
  } catch (err) {
    process.stderr.write(`train: ${(err as Error).message}\n`);
    process.exitCode = 1;
  }
}
