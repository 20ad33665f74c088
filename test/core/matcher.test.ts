import { describe, expect, it } from 'vitest';
import { buildModel, holdoutGroup, staleness, trainingInputs } from '../../scripts/train.ts';
import { answer, builtInKnowledge } from '../../src/index.ts';
import { OFF_TOPIC, builtInModel, fromModelFile, probabilities } from '../../src/matching/classifier.ts';
import { DEFAULT_PARAMS, toModelFile, train, type Example } from '../../src/matching/train.ts';
import { inputsHash, parseTrainingLines, readTrainingSet } from '../../src/matching/training.ts';
import { scorerFor } from '../../src/matching/scorer.ts';
import { fixtureKnowledge } from '../helpers/fixtures.ts';

// The trained classifier beside BM25: its checked-in model, its training data and what it does to answers.
const kb = fixtureKnowledge();

describe('the checked-in model', () => {
  it('was trained from the current training set, knowledge phrasings, parameters and feature code (else: npm run train)', () => {
    expect(staleness()).toBeUndefined();
  });

  it('is reported stale when a training line is added', () => {
    const inputs = trainingInputs(builtInKnowledge());
    expect(trainingInputs(builtInKnowledge()).hash).toBe(inputs.hash); // the same data gives the same hash
    const grown = [...inputs.examples, { text: 'one more question about calls', target: ['calls'] }];
    const hash = inputsHash(grown, inputs.classes, DEFAULT_PARAMS);
    expect(hash).not.toBe(inputs.hash);
    expect(staleness({ ...inputs, examples: grown, hash })).toMatch(/stale.*npm run train/);
  });

  it('has every topic of the knowledge and the off-topic class, and stays small', () => {
    const { file } = builtInModel();
    expect(file.classes).toEqual([...builtInKnowledge().topics.map((t) => t.id), OFF_TOPIC]);
    expect(file.features.length).toBeGreaterThan(1000);
    expect(file.features.length * file.classes.length).toBeLessThan(10_000_000 / 4); // float32 weights under 10 MB
  });
});

describe('training', () => {
  const examples: Example[] = [
    { text: 'video calls on the api', target: ['calls'] },
    { text: 'can we call customers', target: ['calls'] },
    { text: 'voice call from the app', target: ['calls'] },
    { text: 'green tick for our number', target: ['verification'] },
    { text: 'how to get the green tick', target: ['verification'] },
    { text: 'verified badge', target: ['verification'] },
    { text: 'reset my laptop password', target: [OFF_TOPIC] },
    { text: 'apply for leave', target: [OFF_TOPIC] },
  ];
  const classes = ['calls', 'verification', OFF_TOPIC];
  const params = { ...DEFAULT_PARAMS, minDf: 1 };

  it('is deterministic: the same examples give the same model file', () => {
    const a = toModelFile(train(examples, classes, params), classes, params, 'h', examples);
    const b = toModelFile(train(examples, classes, params), classes, params, 'h', examples);
    expect(JSON.stringify(a)).toBe(JSON.stringify(b));
  });

  it('learns the classes, and the quantised model file answers like the trained weights', () => {
    const trained = train(examples, classes, params);
    const restored = fromModelFile(toModelFile(trained, classes, params, 'h', examples));
    for (const [q, want] of [['calls on api', 'calls'], ['the green tick', 'verification'], ['laptop password', OFF_TOPIC]] as const) {
      const p = probabilities(restored, q);
      expect(classes[p.indexOf(Math.max(...p))], q).toBe(want);
      const raw = probabilities(trained.classifier, q);
      for (let c = 0; c < classes.length; c++) expect(Math.abs(p[c]! - raw[c]!)).toBeLessThan(0.02);
    }
  });

  it('refuses a training set with problems, naming file and line', () => {
    const text = ['{"q":"calls?","topics":["calls"]}', 'not json', '{"q":"x","topics":["nope"]}', '{"q":"","topics":["calls"]}', '{"q":"x","topics":[null,"calls"]}', '{"q":"x"}'].join('\n');
    const { lines, problems } = parseTrainingLines(text, 'mine.jsonl', new Set(['calls']));
    expect(lines).toEqual([{ q: 'calls?', topics: ['calls'] }]);
    expect(problems).toEqual([
      expect.stringMatching(/^mine\.jsonl:2: not valid JSON/),
      expect.stringMatching(/^mine\.jsonl:3: unknown topic "nope"/),
      expect.stringMatching(/^mine\.jsonl:4: needs "q"/),
      expect.stringMatching(/^mine\.jsonl:5: \[null\] \(off-topic\) cannot be combined/),
      expect.stringMatching(/^mine\.jsonl:6: needs "topics"/),
    ]);
    expect(() => buildModel({ ...trainingInputs(builtInKnowledge()), problems })).toThrow(/mine\.jsonl:2/);
  });

  it('keeps who wrote a line, to which brief and in which style, and holds out by writer or by style', () => {
    const text = ['{"q":"calls?","topics":["calls"],"writer":"w8","brief":"b8","style":"terse"}', '{"q":"x","topics":["calls"],"style":7}'].join('\n');
    const { lines, problems } = parseTrainingLines(text, 'batch.jsonl', new Set(['calls']));
    expect(lines).toEqual([{ q: 'calls?', topics: ['calls'], writer: 'w8', brief: 'b8', style: 'terse' }]);
    expect(problems).toEqual([expect.stringMatching(/^batch\.jsonl:2: "style" must be a non-empty string/)]);
    expect(holdoutGroup('writer', 'batch.jsonl', lines[0]!, 0, 5)).toBe('w8');
    expect(holdoutGroup('style', 'batch.jsonl', lines[0]!, 0, 5)).toBe('terse');
    // Lines from before writers were recorded: their file's writer and style.
    expect(holdoutGroup('writer', 'blind-batch-2.jsonl', { q: 'x', topics: ['calls'] }, 0, 5)).toBe('blind-2');
    expect(holdoutGroup('style', 'blind-batch-2.jsonl', { q: 'x', topics: ['calls'] }, 0, 5)).toBe('scenario');
    expect(holdoutGroup('folds', 'blind-batch-2.jsonl', { q: 'x', topics: ['calls'] }, 7, 5)).toBe('2');
  });
});

describe('answer with the fused matcher', () => {
  it('answers Hindi in Devanagari politely, asking for Latin letters, and never crashes', () => {
    for (const q of ['क्या एपीआई पर कॉल कर सकते हैं?', 'ग्रुप चैट', 'कॉल कैसे होगी, calls?', '\u0915\u094d\u200d\u0937']) {
      const r = answer(q, kb);
      expect(r.topic, q).toBeNull();
      if (r.topic === null) {
        expect(r.answer.message).toMatch(/Devanagari/);
        expect(r.answer.message).toMatch(/English letters/);
        expect(r.answer.examples.length).toBeGreaterThan(0);
      }
    }
  });

  it('still reads romanised Hindi and a stray Devanagari word in an English question', () => {
    expect(answer('kya api pe video call kar sakte hai', kb).topic).toBe('calls');
    expect(answer('purani chats milengi kya coex me', kb).topic).toBe('history-sync');
    expect(answer('can we get the green tick on a coexistence number? धन्यवाद', kb).topic).toBe('verification');
  });

  it('refuses office questions that share words with topics', () => {
    // Not verbatim training lines: variations of them.
    for (const q of ['my vpn disconnects all the time', 'set my slack status to away', 'how to backup my laptop files', 'checklist for onboarding a new employee']) {
      expect(answer(q, kb).topic, q).toBeNull();
    }
  });
});

describe('the scorer answer() uses', () => {
  it('gives the probabilities of the classifier, without building the features as strings', () => {
    const { classifier } = builtInModel();
    const score = scorerFor(classifier);
    const questions = [
      'coex pe purane msgs aayenge?',
      'shopkeeper went on a 3 week pilgrimage and left his phone switched off, now nothing arrives in the dashboard',
      'vidoe calls on coexistance? calls calls calls',
      'Ünïcödé ﬁne, 1,000 MPS & 2.24 — “quotes” 😀 क्या',
      'a',
      'x'.repeat(300),
      ...readTrainingSet(new Set(builtInKnowledge().topics.map((t) => t.id))).files.flatMap((f) => f.lines.slice(0, 40).map((l) => l.q)),
    ];
    for (const q of questions) {
      const fast = score(q);
      const slow = probabilities(classifier, q);
      for (let c = 0; c < slow.length; c++) expect(Math.abs(fast[c]! - slow[c]!), q).toBeLessThan(1e-9);
    }
  });
});
