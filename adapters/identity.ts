// The app's name as people see it in Slack and Teams. manifest.yml (bot display_name) and the Teams app
// package (name.short) must match; tests check both.
export const BOT_DISPLAY_NAME = 'Co-Existence Advisor';
