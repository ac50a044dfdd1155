// Entry of the trainer worker thread: load TypeScript (as bin/holoring.mjs does), then the worker.
import { register } from 'tsx/esm/api';
register();
await import('./trainerWorker.ts');
