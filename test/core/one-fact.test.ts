import { describe, expect, it } from 'vitest';
import { oneFactOneLine } from '../../src/advisor/recommend.ts';

// One fact, one line: a recommendation never says the same thing twice (issue 20).
describe('oneFactOneLine', () => {
  it('drops a later line that only repeats an earlier one, in any section', () => {
    const [reasons, caveats] = oneFactOneLine([
      [{ text: 'High-volume campaigns: only in part. Fixed at 20 messages per second (incoming and outgoing together); it cannot be raised.' }],
      [{ text: 'Throughput is fixed at 20 messages per second and cannot be raised.' }, { text: 'Existing broadcast lists become read-only and no new ones can be created in the app.' }],
    ]);
    expect(reasons).toHaveLength(1);
    expect(caveats!.map((c) => c.text)).toEqual(['Existing broadcast lists become read-only and no new ones can be created in the app.']);
  });

  it('keeps lines that share a few words but state different facts', () => {
    const [lines] = oneFactOneLine([
      [
        { text: 'Voice & video calls: Yes, voice and video, in the WhatsApp Business App. Calls are not available through the API on a Co-Existence number.' },
        { text: 'Post Status updates: Yes, from the Business App. Status is not available through the API.' },
      ],
    ]);
    expect(lines).toHaveLength(2);
  });
});
