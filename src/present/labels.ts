// What the buttons and the actions a reply offers are called, once for every surface (Slack, Teams, the terminal).
export const LABELS = {
  recommend: 'Recommend a setup',
  compare: 'Compare all features',
  shareInChannel: 'Share in channel',
  shareInThread: 'Share in thread',
  moreDetails: 'More details',
  lessDetails: 'Less',
  editRequirements: 'Edit requirements',
  /** A history entry: in full, and as a new form. */
  openPast: 'Open',
  editPast: 'Edit',
  fullComparison: 'Full comparison',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  /** Where a chat cannot open the form at once (a Slack DM): a button that opens it. */
  openForm: 'Open the recommendation form',
  /** The form's own submit button. */
  submitForm: 'Recommend',
  dismiss: 'Dismiss',
  /** The report's correction, accepted: "Accept: Voice & video calls". */
  accept: 'Accept',
  trainingLines: 'Accepted corrections as training lines',
  /** A recheck note's: the recommendation as today's knowledge makes it. */
  openUpdated: 'Open the updated recommendation',
  /** A question the advisor could not answer surely, sent to the experts' channel. */
  askExpert: 'Ask an expert',
  /** An expert's answer, on the expert's side: "Save as a phrasing of: Voice & video calls". */
  savePhrasing: 'Save as a phrasing of',
  newTopic: 'Needs a new topic',
  /** A verifier's reminder: the topic's facts still hold, or they do not. */
  stillCorrect: 'Still correct',
  needsChange: 'Needs a change',
} as const;
