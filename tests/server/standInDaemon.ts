import { Subject } from 'rxjs';
import type { AccumulatedResponse, CalibratedFrame } from '../../src/contracts/calibration.ts';
import type { Daemon, DaemonStatus } from '../../src/daemon/daemon.ts';
import type { GeometryFit } from '../../src/model/geometry.ts';

/**
 * A stand-in daemon for the server's unit tests (the Daemon interface over
 * subjects the test drives): a running daemon with the given status fields
 * and response table.
 */
export function standInDaemon(opts: { status?: Partial<DaemonStatus>; table?: () => AccumulatedResponse | null } = {}) {
  const fits$ = new Subject<GeometryFit & { sweep: number }>();
  const calibrated$ = new Subject<CalibratedFrame>();
  const response$ = new Subject<AccumulatedResponse>();
  const status = {
    state: 'running', identity: null, deviceState: null, sweeps: 0, frames: 0, tablePoints: 0, calibrationVersion: null, skipped: {}, trainingsSkipped: 0,
    device: null, lastFit: null, journal: null, run: null, accounting: { received: 0, journaled: 0, skipped: {}, missing: {}, duplicates: 0 },
    ...opts.status,
  } as DaemonStatus;
  const daemon = {
    start: async () => {}, stop: async () => {}, done: new Promise(() => {}),
    status$: new Subject<DaemonStatus>(), fits$, calibrated$, response$,
    status: () => status, response: opts.table ?? (() => null), lastFit: () => null, alarms: { events$: new Subject(), alarms: () => [] },
  } as unknown as Daemon;
  return { daemon, fits$, calibrated$, response$ };
}
