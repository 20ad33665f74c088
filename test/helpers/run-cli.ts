import { fileURLToPath } from 'node:url';
import { run } from '../../adapters/cli/main.ts';
import { FIXTURE_KNOWLEDGE_FILE } from './fixtures.ts';

/** The real binary, for the one smoke test that spawns it (test/cli/build.test.ts). */
export const CLI_BIN = fileURLToPath(new URL('../../bin/coexist-advisor.js', import.meta.url));

export interface CliRun {
  code: number;
  stdout: string;
  stderr: string;
}

/**
 * Runs the coexist-advisor command line in this process, as bin/ does, with its own output, standard input (empty
 * unless given) and environment: KNOWLEDGE_FILE is the frozen fixture unless `env` says otherwise ('' = built-in).
 */
export async function runCli(args: string[], options: { stdin?: string; env?: Record<string, string> } = {}): Promise<CliRun> {
  let stdout = '';
  let stderr = '';
  const code = await run(args, {
    stdout: (text) => void (stdout += text),
    stderr: (text) => void (stderr += text),
    stdin: options.stdin ?? '',
    env: { KNOWLEDGE_FILE: FIXTURE_KNOWLEDGE_FILE, NO_COLOR: '1', ...options.env },
  });
  return { code, stdout, stderr };
}
