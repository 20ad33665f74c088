// What the trained classifier sees of a question: word 1-2-grams and character 3-5-grams of each word (with its
// boundaries), the features that generalised best in ../shared/notes/matching-experiment.md. Character n-grams
// carry typos ("vidoe", "coexistance") and word stems; word bigrams carry short phrases ("per second", "green tick").
// The same function runs at training (scripts/train.ts) and at answer time, so it must stay deterministic: any change
// here makes the checked-in model stale (its inputs hash covers this file), and `npm run train` rebuilds it.

/** Lower case, compatibility forms folded, invisible characters dropped, "1,000" and "2.24" kept as one token. */
export function normalise(text: string): string {
  return text
    .normalize('NFKC')
    .toLowerCase()
    .replace(/[\u200b-\u200f\u2060\ufeff]/g, '')
    .replace(/(\d)[.,](\d)/g, '$1$2');
}

/** The words of a question: runs of letters and digits (apostrophes dropped: "can't" is "cant"). */
export function wordsOf(text: string): string[] {
  return normalise(text)
    .replace(/['’]/g, '')
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w.length > 0);
}

export const CHAR_GRAMS = { min: 3, max: 5 } as const;

/** Feature names with their counts. Word features start with `w:`, character features with `c:`. */
export function featureCounts(text: string): Map<string, number> {
  const counts = new Map<string, number>();
  const add = (f: string) => counts.set(f, (counts.get(f) ?? 0) + 1);
  const words = wordsOf(text);
  for (let i = 0; i < words.length; i++) {
    const w = words[i]!;
    add(`w:${w}`);
    if (i + 1 < words.length) add(`w:${w} ${words[i + 1]}`);
    const padded = ` ${w} `;
    for (let n = CHAR_GRAMS.min; n <= CHAR_GRAMS.max; n++) {
      for (let s = 0; s + n <= padded.length; s++) add(`c:${padded.slice(s, s + n)}`);
    }
  }
  return counts;
}
