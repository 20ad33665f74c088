import type { SetupId } from '../knowledge/ids.ts';

// Which setup a question is about, so the answer leads with it: "can we make calls with the api?" asks about
// API-only first. A question that names Co-Existence, both or neither leads with Co-Existence, as before.

const NAMES_API = /(?<![\p{L}\p{N}])(?:api|apis|cloud\s*api|api[-\s]?only|business\s+api)(?![\p{L}\p{N}])/iu;
const NAMES_COEXISTENCE = /(?<![\p{L}\p{N}])(?:co-?ex(?:ist(?:ence|ing)?)?|coexistance|same\s+number)(?![\p{L}\p{N}])/iu;

export function askedSetup(question: string | undefined): SetupId {
  if (!question) return 'coexistence';
  return NAMES_API.test(question) && !NAMES_COEXISTENCE.test(question) ? 'api-only' : 'coexistence';
}
