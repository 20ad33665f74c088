import type { Logger } from 'pino';
import { builtInKnowledge, loadKnowledgeFile, type Knowledge } from '../../src/index.ts';
import { createSlackFace, type SlackFace } from '../slack/app.ts';
import type { SlackWebApiPolicy } from '../slack/limits.ts';
import { describeConfig, loadConfig, type Config } from './config.ts';
import { createLogger } from './logger.ts';
import { createTeamsFace } from '../teams/face.ts';
import { startHost, type RunningHost } from './server.ts';

// Wires configuration, knowledge, logging and the platform faces into one running process.

export class StartError extends Error {
  constructor(readonly problems: string[]) {
    super(problems.join('\n'));
  }
}

export interface Product extends RunningHost {
  config: Config;
  knowledge: Knowledge;
  logger: Logger;
}

export interface StartOptions {
  logger?: Logger;
  /** Overrides for how Slack's Web API is called (tests use short timeouts). */
  slackWebApi?: Partial<SlackWebApiPolicy>;
}

export async function startProduct(env: NodeJS.ProcessEnv, options: StartOptions = {}): Promise<Product> {
  const loaded = loadConfig(env);
  if (!loaded.ok) throw new StartError(loaded.problems);
  const config = loaded.config;
  const logger = options.logger ?? createLogger(config.logLevel);

  let knowledge: Knowledge;
  if (config.knowledgeFile) {
    const result = loadKnowledgeFile(config.knowledgeFile);
    if (!result.ok) throw new StartError([`KNOWLEDGE_FILE ${config.knowledgeFile} is invalid:`, ...result.problems.map((p) => `  ${p}`)]);
    knowledge = result.knowledge;
  } else knowledge = builtInKnowledge();

  let slack: SlackFace | undefined;
  if (config.slack.mode !== 'off') {
    slack = createSlackFace(config.slack, knowledge, logger, options.slackWebApi);
    try {
      await slack.start();
    } catch (err) {
      const code = (err as { data?: { error?: string }; code?: string }).data?.error ?? (err as Error).message;
      throw new StartError([`Slack did not accept the credentials (${code}). Check SLACK_BOT_TOKEN${config.slack.mode === 'socket' ? ' and SLACK_APP_TOKEN' : ''}${config.slack.apiUrl ? ` and SLACK_API_URL (${config.slack.apiUrl})` : ''}.`]);
    }
  }
  const teams = createTeamsFace(config, knowledge, logger);
  const host = await startHost({ config, knowledge, logger, teams, ...(slack ? { slack } : {}) });
  for (const line of describeConfig(config)) logger.info(line);
  logger.info({ url: host.url, knowledge: config.knowledgeFile ?? 'built-in', topics: knowledge.topics.length }, `coexist-advisor listening on ${host.url}`);
  return { ...host, config, knowledge, logger };
}
