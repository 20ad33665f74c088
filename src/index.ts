// The core advisor: facts, rules and wording. No platform SDK, no logger, no HTTP; deterministic.
export * from './knowledge/ids.ts';
export * from './knowledge/schema.ts';
export * from './knowledge/loader.ts';
export * from './advisor/requirements.ts';
export * from './advisor/facts.ts';
export * from './advisor/recommend.ts';
export * from './advisor/answer.ts';
export * from './advisor/compare.ts';
export * from './advisor/countries.ts';
export * from './advisor/wording.ts';
export * from './advisor/commands.ts';
export * from './advisor/frozen.ts';
export * from './knowledge/figures.ts';
export * from './present/reply.ts';
export * from './present/asked.ts';
export * from './present/present.ts';
export * from './present/router.ts';
