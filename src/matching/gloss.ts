import { wordsOf } from './features.ts';

// The classifier learns from how staff write, mostly in English. A Spanish, Portuguese or Hinglish word it has not
// seen in training ("llamadas", "ligação", "paisa") would otherwise count for nothing, or push toward the off-topic
// class. The gloss appends the English that matching.yml's synonyms give for such words, so the question is read
// in its own words and in the knowledge's. Deterministic: it runs at training and at answer time alike.

/** "número" → "numero", "transmissão" → "transmissao": synonyms and stop words are listed without accents. */
export const foldAccents = (w: string): string =>
  /[^\u0000-\u007f]/.test(w) ? w.normalize('NFD').replace(/\p{M}/gu, '').normalize('NFC') : w;

/** The question followed by the English of its words that have a synonym ("cuantos mensajes" → "… messages"). */
export function glossFor(synonyms: Readonly<Record<string, string>>): (text: string) => string {
  const map = new Map(Object.entries(synonyms).map(([k, v]) => [k.toLowerCase(), v.toLowerCase()]));
  return (text) => {
    const added: string[] = [];
    for (const w of wordsOf(text)) {
      const en = map.get(w) ?? map.get(foldAccents(w));
      if (en && en !== w) added.push(en);
    }
    return added.length > 0 ? `${text} ${added.join(' ')}` : text;
  };
}
