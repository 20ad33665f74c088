import { existsSync, readFileSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { Readable } from 'node:stream';
import { Command, CommanderError, Option } from 'commander';
import {
  BUILT_IN_KNOWLEDGE_FILE,
  ALL_NEED_IDS,
  allTopicFacts,
  answer,
  builtInKnowledge,
  compare,
  loadKnowledgeFile,
  presentAnswer,
  presentComparison,
  presentRecommendation,
  presentTopics,
  recommend,
  route,
  staleTopics,
  validateRequirements,
  type Knowledge,
  type PresentOptions,
  withVerification,
  type VerificationState,
} from '../../src/index.ts';
import { formatReply } from '../plain-text.ts';
import { registerStoreCommands } from './store-commands.ts';
import { productVersion } from '../version.ts';
import { registerExplainCommand } from './explain.ts';

// The coexist-advisor command line. Exit codes: 0 done, 2 bad input (flags, files, requirements), 1 our fault.

class BadInput extends Error {}

/** Where the CLI reads and writes. Every field defaults to the process's own; tests pass their own. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  /** Standard input: a stream, or its whole text. Read only by the commands that read it. */
  stdin: NodeJS.ReadableStream | string;
  env: NodeJS.ProcessEnv;
}

function processIo(): CliIo {
  return {
    stdout: (text) => process.stdout.write(text),
    stderr: (text) => process.stderr.write(text),
    // A getter: process.stdin is opened only if a command reads it.
    get stdin() {
      return process.stdin;
    },
    env: process.env,
  };
}

/**
 * KNOWLEDGE_FILE as loaded before in this process, by path, while its size, mtime and inode stay the same. One
 * command line loads it once anyway; in-process callers (the tests) run many, and parsing costs ~20 ms each time.
 */
const loadedFiles = new Map<string, { stamp: string; knowledge: Knowledge; warnings: string[] }>();

function loadKnowledgeOnce(file: string): ReturnType<typeof loadKnowledgeFile> {
  let stamp: string;
  try {
    const st = statSync(file);
    stamp = `${st.size}:${st.mtimeMs}:${st.ino}`;
  } catch {
    return loadKnowledgeFile(file); // says what is wrong with the path
  }
  const hit = loadedFiles.get(file);
  if (hit?.stamp === stamp) return { ok: true, knowledge: hit.knowledge, warnings: hit.warnings };
  const result = loadKnowledgeFile(file);
  if (result.ok) loadedFiles.set(file, { stamp, knowledge: result.knowledge, warnings: result.warnings });
  return result;
}

/** The CLI's side of one run: output, input and the knowledge it answers from. */
class Session {
  constructor(private readonly io: CliIo) {}

  out(text: string): void {
    this.io.stdout(text.endsWith('\n') ? text : `${text}\n`);
  }

  json(value: unknown, pretty = true): void {
    this.out(pretty ? JSON.stringify(value, null, 2) : JSON.stringify(value));
  }

  get env(): NodeJS.ProcessEnv {
    return this.io.env;
  }

  knowledge(): Knowledge {
    const file = this.io.env.KNOWLEDGE_FILE;
    if (!file) return builtInKnowledge();
    const result = loadKnowledgeOnce(file);
    if (!result.ok) throw new BadInput(`KNOWLEDGE_FILE ${file} is invalid:\n${result.problems.map((p) => `  ${p}`).join('\n')}`);
    return result.knowledge;
  }

  stdinStream(): NodeJS.ReadableStream {
    const stdin = this.io.stdin;
    return typeof stdin === 'string' ? Readable.from([stdin]) : stdin;
  }

  async stdinText(): Promise<string> {
    const stdin = this.io.stdin;
    if (typeof stdin === 'string') return stdin;
    const chunks: Buffer[] = [];
    for await (const chunk of stdin) chunks.push(typeof chunk === 'string' ? Buffer.from(chunk) : chunk);
    return Buffer.concat(chunks).toString('utf8');
  }
}

/** "3" → 3; anything else is passed on as text so the schema can say what is wrong with it. */
function numberish(value: string): number | string {
  const trimmed = value.trim();
  return trimmed !== '' && Number.isFinite(Number(trimmed)) ? Number(trimmed) : value;
}

interface RecommendOptions {
  json?: boolean;
  file?: string;
  customer?: string;
  country?: string;
  agents?: string;
  dailyMessages?: string;
  peakMps?: string;
  need?: string[];
  notes?: string;
}

async function requirementsInput(cli: Session, stdinDash: string | undefined, o: RecommendOptions): Promise<unknown> {
  const fromFile = o.file ?? stdinDash;
  const flagGiven = [o.customer, o.country, o.agents, o.dailyMessages, o.peakMps, o.notes].some((v) => v !== undefined) || (o.need?.length ?? 0) > 0;
  if (fromFile !== undefined) {
    if (flagGiven) throw new BadInput('Give the requirements either as a file (--file, -) or as flags, not both.');
    let text: string;
    if (fromFile === '-') text = await cli.stdinText();
    else {
      try {
        text = readFileSync(fromFile, 'utf8');
      } catch {
        throw new BadInput(`Cannot read requirements file ${fromFile}.`);
      }
    }
    try {
      return JSON.parse(text);
    } catch (err) {
      throw new BadInput(`${fromFile === '-' ? 'Standard input' : fromFile} is not valid JSON: ${(err as Error).message}`);
    }
  }
  if (!flagGiven) throw new BadInput('Give requirements: --country IN [--agents 3] [--peak-mps 12] [--need calls ...], or --file req.json, or - for standard input.');
  const req: Record<string, unknown> = { needs: o.need ?? [] };
  if (o.customer !== undefined) req.customer = o.customer;
  if (o.country !== undefined) req.country = o.country;
  if (o.agents !== undefined) req.agents = numberish(o.agents);
  if (o.dailyMessages !== undefined) req.dailyMessages = numberish(o.dailyMessages);
  if (o.peakMps !== undefined) req.peakMps = numberish(o.peakMps);
  if (o.notes !== undefined) req.notes = o.notes;
  return req;
}

const FLAG_OF: Record<string, string> = {
  customer: '--customer',
  country: '--country',
  agents: '--agents',
  dailyMessages: '--daily-messages',
  peakMps: '--peak-mps',
  needs: '--need',
  notes: '--notes',
};

/**
 * `ask --json`: answer()'s result (the SPEC's {topic, confidence, answer, alternatives}, and `also` for a second
 * topic), plus what the reply does with it: `clarify` when it asks "Which do you mean?" (the topic ids offered, best
 * guess first), `hint` when it declines (how to ask a person).
 */
function answerJson(question: string, kb: Knowledge, present: PresentOptions): Record<string, unknown> {
  const result = answer(question, kb);
  const reply = presentAnswer(result, question, kb, present);
  return {
    ...result,
    ...(reply.kind === 'clarify' ? { clarify: { message: reply.message, topics: reply.topics.map((t) => t.topic) } } : {}),
    ...(reply.kind === 'off-topic' ? { hint: reply.hint } : {}),
  };
}

/**
 * The built-in knowledge's source, src/knowledge/knowledge.yml of the checkout, also when the CLI runs from dist/
 * (which holds a copy, refreshed by the build): check-knowledge checks and names the file a knowledge owner edits.
 */
function builtInKnowledgeSource(): string {
  const copy = BUILT_IN_KNOWLEDGE_FILE.match(/^(.*)[\\/]dist[\\/](src[\\/]knowledge[\\/]knowledge\.yml)$/);
  if (copy && existsSync(`${copy[1]}/${copy[2]}`)) return `${copy[1]}/${copy[2]}`;
  return BUILT_IN_KNOWLEDGE_FILE;
}

export function buildProgram(io: CliIo = processIo()): Command {
  const cli = new Session(io);
  // Set before any subcommand is added: subcommands inherit these settings.
  const program = new Command('coexist-advisor')
    .description('WhatsApp Co-Existence vs WhatsApp Business API only: answers, recommendations and the comparison.')
    .version(productVersion(), '-V, --version', 'the version (package.json; CHANGELOG.md says what changed)')
    .configureOutput({ writeOut: (text) => io.stdout(text), writeErr: (text) => io.stderr(text) })
    .showHelpAfterError('(run with --help for usage)')
    .exitOverride();

  program
    .command('ask')
    .description('answer a question; with no question, read one per line from standard input and write JSON lines')
    .argument('[question...]', 'the question, e.g. "can we do video calls on api?"')
    .option('--json', 'print JSON: {topic, confidence, answer, alternatives}, plus also, clarify or hint when they apply')
    .action(async (words: string[], o: { json?: boolean }) => {
      const kb = cli.knowledge();
      // The stale mark by the file's dates (the command line does not read the store for an answer).
      const present: PresentOptions = { ...(cli.env.EXPERT_HINT?.trim() ? { expertHint: cli.env.EXPERT_HINT.trim() } : {}), verification: filesOnly() };
      if (words.length === 0) {
        const lines = createInterface({ input: cli.stdinStream(), crlfDelay: Infinity });
        for await (const line of lines) {
          if (line.trim() === '') continue;
          cli.json({ question: line, ...answerJson(line, kb, present) }, false);
        }
        return;
      }
      const question = words.join(' ');
      // --json is the answer() contract (SPEC) with fields added; text goes through the same router as Slack and Teams.
      if (o.json) cli.json(answerJson(question, kb, present));
      else cli.out(formatReply(route(question, kb, present)));
    });

  program
    .command('recommend')
    .description('recommend a setup from customer requirements (a JSON file, - for standard input, or flags)')
    .argument('[stdin]', '"-" to read the requirements JSON from standard input')
    .option('--json', 'print the recommendation as JSON')
    .option('--file <path>', 'requirements JSON file')
    .option('--customer <name>', 'customer or deal name')
    .option('--country <code>', 'country of the WhatsApp number, ISO 3166-1 alpha-2 (IN, DE, ...)')
    .option('--agents <n>', 'people who will reply to customers')
    .option('--daily-messages <n>', 'expected messages per day')
    .option('--peak-mps <n>', 'peak messages per second needed')
    .addOption(new Option('--need <id>', `a need, repeat for more: ${ALL_NEED_IDS.join(', ')}`).argParser((v: string, prev: string[] = []) => [...prev, v]))
    .option('--notes <text>', 'free text shown with the recommendation')
    .action(async (dash: string | undefined, o: RecommendOptions) => {
      if (dash !== undefined && dash !== '-') throw new BadInput(`Unexpected argument "${dash}". Use - to read standard input, or --file <path>.`);
      const kb = cli.knowledge();
      const input = await requirementsInput(cli, dash, o);
      const valid = validateRequirements(input);
      if (!valid.ok) {
        const fromFlags = o.file === undefined && dash === undefined;
        throw new BadInput(
          ['The requirements have problems:', ...valid.errors.map((e) => `  ${fromFlags && e.field ? FLAG_OF[e.field] : e.path}: ${e.message}`)].join('\n'),
        );
      }
      const result = recommend(valid.requirements, kb);
      if (o.json) cli.json(result);
      else cli.out(formatReply(presentRecommendation(result, kb)));
    });

  program
    .command('compare')
    .description('the full side-by-side comparison')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const kb = cli.knowledge();
      if (o.json) cli.json(compare(kb));
      else cli.out(formatReply(presentComparison(kb)));
    });

  program
    .command('topics')
    .description('every topic: id, title, status per setup, sources, last verified')
    .option('--json', 'print JSON')
    .action((o: { json?: boolean }) => {
      const kb = cli.knowledge();
      if (o.json) {
        const rows = allTopicFacts(kb);
        cli.json(
          rows.map((t) => ({
            id: t.id,
            title: t.title,
            coexistence: t.coexistence.status,
            apiOnly: t.apiOnly.status,
            sources: t.sources,
            lastVerified: t.lastVerified,
          })),
        );
      } else cli.out(formatReply(withVerification(presentTopics(kb), kb, filesOnly())));
    });

  program
    .command('check-knowledge')
    .description('validate a knowledge file (default: KNOWLEDGE_FILE or the built-in one)')
    .argument('[file]', 'the YAML file to check')
    .action((file: string | undefined) => {
      const path = file || cli.env.KNOWLEDGE_FILE || builtInKnowledgeSource();
      const result = loadKnowledgeFile(path);
      if (!result.ok) {
        throw new BadInput([`✖ ${path} has ${result.problems.length} problem${result.problems.length > 1 ? 's' : ''}:`, ...result.problems.map((p) => `  ${p}`)].join('\n'));
      }
      const kb = result.knowledge;
      cli.out(`✔ ${path} is valid: ${kb.topics.length} topics, ${kb.needs.length} needs, ${Object.keys(kb.sources).length} sources.`);
      for (const w of result.warnings) cli.out(`  ⚠️  ${w}`);
      const today = new Date().toISOString().slice(0, 10);
      for (const s of staleTopics(kb, today)) {
        cli.out(`  ⚠️  ${s.id} was last verified ${s.lastVerified} (${s.days} days ago; review every ${s.every}).`);
      }
    });

  registerStoreCommands(program, { out: (text) => cli.out(text), env: () => cli.env, badInput: (message) => { throw new BadInput(message); }, knowledge: () => cli.knowledge() });
  registerExplainCommand(program, { out: (text) => cli.out(text), knowledge: () => cli.knowledge(), badInput: (message) => { throw new BadInput(message); } });

  return program;
}

/**
 * Runs one command line and returns the exit code: 0 done, 2 bad input, 1 our fault. Never throws and never exits
 * the process, so it can run in-process (tests) as well as from bin/. `io` replaces any of the process's streams.
 */
export async function run(argv: string[], io: Partial<CliIo> = {}): Promise<number> {
  const defaults = processIo();
  const full: CliIo = {
    stdout: io.stdout ?? defaults.stdout,
    stderr: io.stderr ?? defaults.stderr,
    env: io.env ?? defaults.env,
    get stdin() {
      return io.stdin ?? defaults.stdin;
    },
  };
  const program = buildProgram(full);
  try {
    await program.parseAsync(argv, { from: 'user' });
    return 0;
  } catch (err) {
    if (err instanceof CommanderError) {
      if (err.code === 'commander.helpDisplayed' || err.code === 'commander.help' || err.code === 'commander.version') return 0;
      if (err.code === 'commander.executeSubCommandAsync') return 0;
      return 2; // commander already printed the message
    }
    if (err instanceof BadInput) {
      full.stderr(`${err.message}\n`);
      return 2;
    }
    full.stderr(`coexist-advisor failed unexpectedly: ${(err as Error).message}\n`);
    return 1;
  }
}

/** Today's date and no stored verification: the "may be out of date" mark by the files' dates alone. */
const filesOnly = (): VerificationState => ({ today: new Date().toISOString().slice(0, 10), verified: new Map() });
