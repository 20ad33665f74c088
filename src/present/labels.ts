// What the buttons and the actions a reply offers are called, once for every surface (Slack, Teams, the terminal).
export const LABELS = {
  recommend: 'Recommend a setup',
  compare: 'Compare all features',
  shareInChannel: 'Share in channel',
  shareInThread: 'Share in thread',
  moreDetails: 'More details',
  lessDetails: 'Less',
  editRequirements: 'Edit requirements',
  fullComparison: 'Full comparison',
  helpful: 'Helpful',
  notHelpful: 'Not helpful',
  /** The form's own submit button. */
  submitForm: 'Recommend',
  dismiss: 'Dismiss',
} as const;
