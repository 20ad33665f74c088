// Starts the store's writer thread (writer.ts): from dist/ the compiled module directly; from the TypeScript sources
// (tests, development, benchmarks) with tsx registered first, which a worker thread does not inherit on Node 20.
import { workerData } from 'node:worker_threads';

if (workerData.typescript) {
  const { register } = await import('tsx/esm/api');
  register();
}
await import(workerData.entry);
