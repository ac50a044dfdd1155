import { createRequire } from 'node:module';

/** holoring's version, from package.json (stamped on checkpoints, logs and `--version`). */
export const HOLORING_VERSION: string = (createRequire(import.meta.url)('../package.json') as { version: string }).version;
