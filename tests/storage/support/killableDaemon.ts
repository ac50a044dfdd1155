/**
 * A daemon in its own process for the SIGKILL test: the simulated ring
 * (accelerated), no trainer, the real run record. Loads, prints `ready`, waits
 * for a line on stdin (so the test can load the next one while this one runs),
 * prints `run <id>` once the run is open, then acquires `sweeps` sweeps (0: until killed).
 *     node bin/run-ts.mjs tests/storage/support/killableDaemon.ts DATA_DIR SWEEPS
 */
import { SimRingDevice } from '../../../drivers/sim/device.ts';
import { RingSimulator } from '../../../drivers/sim/simulator.ts';
import { parseConfig } from '../../../src/config/schema.ts';
import { createDaemon } from '../../../src/daemon/daemon.ts';
import { createLogger } from '../../../src/log.ts';
import { openRun } from '../../../src/storage/run.ts';

const [dataDir, sweeps] = process.argv.slice(2);
process.stdout.write('ready\n');
await new Promise((resolve) => process.stdin.once('data', resolve));
process.stdin.pause();
const config = parseConfig({ physics: { kMax: 2 }, sweep: { start: 1, stop: 4, step: 1, dwellMs: 200 }, sweeps: Number(sweeps), storage: { syncMs: 20 } });
const logger = createLogger({ level: 'error' });
// the simulator device directly (not through drivers/ring/open.ts): a light process that starts fast
const device = new SimRingDevice({ sim: new RingSimulator({ seed: 4 }), rate: 200, speed: 50, identity: { serial: 'SIM-4' } });
const daemon = createDaemon(config, {
  device, logger, trainer: null, resolveRecord: async () => null,
  openRun: (identity) => {
    const run = openRun({ dataDir, identity, storage: config.storage, logger });
    process.stdout.write(`run ${run.id}\n`);
    return run;
  },
});
await daemon.start();
await daemon.done;
await device.close();
