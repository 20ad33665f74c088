import { FakeConnector } from '../test/helpers/fake-connector.ts';

// The fake Bot Connector for benchmarks, in a process of its own: the replies' cost of receiving is not charged to
// the bot being measured. Reports its URL over IPC.

const connector = await new FakeConnector({ record: false }).start();
process.send?.({ url: connector.url });
process.on('SIGINT', () => process.exit(0));
