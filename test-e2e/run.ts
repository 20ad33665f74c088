import { spawn, spawnSync } from 'node:child_process';
import path from 'node:path';
import { ROOT, chromiumPath } from '../scripts/playground/session.ts';

// `npm run test:e2e` (after `node bin/build.js --if-stale`): type-checks test-e2e/, then runs its vitest config
// inside a network namespace where only loopback is up (`unshare -n`, or `unshare -rn` when not root), so
// nothing the bot, the Playground or Chromium does can leave the machine. It is also a PID namespace (`-pf
// --kill-child`): when the run ends, however it ends (a failure, Ctrl-C, a killed worker), the kernel ends every
// process it started. Where no such namespace can be made it says why and runs on the host network: everything
// still listens on and talks to 127.0.0.1, and the test stops its children itself.
// Arguments are passed to vitest (e.g. `npm run test:e2e -- -t mention`). E2E_NETNS=0 skips the namespace.

const say = (line: string) => process.stdout.write(`test:e2e: ${line}\n`);

function loopbackNamespace(): { flags: string[] } | { reason: string } {
  if (process.env.E2E_NETNS === '0') return { reason: 'E2E_NETNS=0' };
  if (process.platform !== 'linux') return { reason: `network namespaces are Linux only (this is ${process.platform})` };
  const base = ['-n', '-p', '-f', '--kill-child'];
  const tries = process.getuid?.() === 0 ? [base, ['-r', ...base]] : [['-r', ...base]];
  let last = '';
  for (const flags of tries) {
    const probe = spawnSync('unshare', [...flags, 'sh', '-c', 'ip link set lo up && ip -o link show up'], { encoding: 'utf8', timeout: 10_000 });
    if (probe.error) return { reason: `unshare is not available (${probe.error.message})` };
    const up = probe.stdout.split('\n').filter(Boolean).map((l) => l.split(':')[1]?.trim());
    if (probe.status === 0 && up.length === 1 && up[0] === 'lo') return { flags };
    last = (probe.stderr || probe.stdout).trim().split('\n')[0] ?? `exit code ${probe.status}`;
  }
  return { reason: `unshare ${tries.at(-1)!.join(' ')} failed: ${last}` };
}

const typecheck = spawnSync(process.execPath, [path.join(ROOT, 'node_modules/typescript/bin/tsc'), '--noEmit', '-p', 'test-e2e/tsconfig.json'], { cwd: ROOT, stdio: 'inherit' });
if (typecheck.status !== 0) {
  say('type check of test-e2e/ failed');
  process.exit(typecheck.status ?? 1);
}

const browser = chromiumPath();
if (!browser) {
  say('no Chromium found. Install Debian\'s: apt-get install -y chromium fonts-noto-color-emoji (or set CHROMIUM_PATH). No browser is downloaded.');
  process.exit(1);
}
say(`browser: ${browser}`);

const vitest = [process.execPath, path.join(ROOT, 'node_modules/vitest/vitest.mjs'), 'run', '--config', 'test-e2e/vitest.config.ts', ...process.argv.slice(2)];
const ns = loopbackNamespace();
let command: string[];
if ('flags' in ns) {
  say(`network: a namespace of its own with only lo up (unshare ${ns.flags.join(' ')}): nothing can leave this machine, nothing outlives the run`);
  command = ['unshare', ...ns.flags, 'sh', '-c', 'ip link set lo up && exec "$@"', 'sh', ...vitest];
} else {
  say(`network: NOT isolated (${ns.reason}); running on this machine's network. The bot, the Playground and the browser still use 127.0.0.1 only.`);
  command = vitest;
}

const started = Date.now();
const child = spawn(command[0]!, command.slice(1), { cwd: ROOT, stdio: 'inherit' });
/**
 * Stops the run. `unshare --fork` ignores SIGINT and SIGTERM while it waits, so in the namespace it gets SIGKILL:
 * --kill-child then kills the namespace's first process, and the kernel every other one in it. Without the
 * namespace, vitest gets the signal (its hooks stop the children) and SIGKILL 15 s later if it is still there.
 */
function stopRun(signal: NodeJS.Signals): void {
  if ('flags' in ns) {
    child.kill('SIGKILL');
    return;
  }
  child.kill(signal);
  setTimeout(() => child.kill('SIGKILL'), 15_000).unref();
}
for (const signal of ['SIGINT', 'SIGTERM', 'SIGHUP'] as const) process.on(signal, () => stopRun(signal));
// Every step and hook has its own timeout; this bounds the whole run as well (E2E_TIMEOUT_MS, default 10 minutes).
const limitMs = Number(process.env.E2E_TIMEOUT_MS) || 600_000;
setTimeout(() => {
  say(`still running after ${limitMs / 1000} s: stopping it`);
  stopRun('SIGTERM');
}, limitMs).unref();
child.on('error', (err) => {
  say(`could not run vitest: ${err.message}`);
  process.exit(1);
});
child.on('exit', (code, signal) => {
  say(`finished in ${((Date.now() - started) / 1000).toFixed(1)} s (screenshots and logs in build/e2e/)`);
  process.exit(code ?? (signal ? 1 : 0));
});
