// The app's name as people see it in Slack; manifest.yml's bot display_name must match (a test checks).
export const BOT_DISPLAY_NAME = 'Co-Existence Advisor';
