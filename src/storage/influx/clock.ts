/**
 * Acquisition time of journaled frames on the host clock: the device clock
 * (`deviceTimeUs`, µs since the device started) anchored to the host clock.
 *
 *   t_host(frame) = anchor + 1000 · deviceTimeUs        [ns since the Unix epoch]
 *
 * The anchor of a segment comes from its header (`anchor: {hostTimeMs,
 * deviceTimeUs}`, the host and device clocks read at the same instant at
 * connect) when the journal writes one. Otherwise it is derived from the run's
 * files alone, so that a re-read gives the same times:
 * - a segment of the same session (no `resume` since) whose device clock
 *   continues the previous one (size rotation) keeps its anchor;
 * - otherwise (a resumed run, a new device session) the segment's first frame
 *   is put at the time of the latest `start`/`resume` document, and never
 *   before the last frame already placed;
 * - within a segment, a device clock that runs backwards (the device
 *   restarted) is re-anchored one frame interval after the previous frame.
 * Whatever the anchor says, a frame is never placed at or before the last
 * frame already placed: an anchor that would do so (a resumed session whose
 * header anchor lies before the previous session's last frame, because the
 * previous anchor was taken late or the device clock runs fast against the
 * host's) is moved so the frame comes one frame interval after it, and the
 * segment runs on from there (a monotonic clamp, docs/influx.md "Timestamps").
 * Times therefore strictly increase through a run, and two frames never share one.
 */
export interface ClockState {
  /** Current anchor, ns (decimal string: beyond 2^53). */
  anchorNs: string;
  /** Device time of the last placed frame, µs. */
  lastDeviceUs: number;
  /** Host time of the last placed frame, ns (decimal string). */
  lastHostNs: string;
  /** Last positive frame interval seen, ns (used after a device restart). */
  intervalNs: number;
  /** Start time (ns) of the session the anchor was made in. */
  sessionNs: string;
}

export interface SegmentAnchor {
  hostTimeMs: number;
  deviceTimeUs: number;
}

const usToNs = (us: number): bigint => BigInt(Math.round(us * 1000));
/** ms (possibly fractional) → ns, exact to the ns (a float product would not be beyond 2^53). */
const msToNs = (ms: number): bigint => {
  const whole = Math.floor(ms);
  return BigInt(whole) * 1_000_000n + BigInt(Math.round((ms - whole) * 1e6));
};
const MIN_STEP_NS = 1_000_000n;

export class FrameClock {
  private anchor: bigint | null;
  private lastDevice: number;
  private lastHost: bigint;
  private interval: bigint;
  private session: bigint | null;
  /** The anchor was set by beginSegment and no frame placed since (the step to the next frame is not a frame interval). */
  private fresh = false;

  constructor(state?: ClockState | null) {
    this.session = state?.sessionNs ? BigInt(state.sessionNs) : null;
    this.anchor = state ? BigInt(state.anchorNs) : null;
    this.lastDevice = state?.lastDeviceUs ?? -Infinity;
    this.lastHost = state ? BigInt(state.lastHostNs) : 0n;
    this.interval = state ? BigInt(state.intervalNs) : MIN_STEP_NS;
  }

  /**
   * Called at the first frame of a segment. `header`: the segment's own anchor,
   * if any; `sessionStartNs`: time of the latest start/resume document.
   */
  beginSegment(firstDeviceUs: number, header: SegmentAnchor | null, sessionStartNs: bigint): void {
    if (header) {
      this.anchor = msToNs(header.hostTimeMs) - usToNs(header.deviceTimeUs);
      this.session = sessionStartNs;
      this.fresh = true;
      return;
    }
    if (this.anchor !== null && this.session === sessionStartNs && firstDeviceUs > this.lastDevice) return;
    this.session = sessionStartNs;
    this.fresh = true;
    const floor = this.anchor === null ? sessionStartNs : this.lastHost + this.interval;
    const at = sessionStartNs > floor ? sessionStartNs : floor;
    this.anchor = at - usToNs(firstDeviceUs);
  }

  /** Host time of a frame, ns. */
  place(deviceUs: number): bigint {
    if (this.anchor === null) throw new Error('FrameClock.place before beginSegment');
    const placed = this.lastHost > 0n;
    if (deviceUs <= this.lastDevice || (placed && this.anchor + usToNs(deviceUs) <= this.lastHost)) {
      // the device clock ran backwards (device restart, a repeated frame) or the anchor
      // lies before the last frame placed (a resumed session): continue one interval on
      this.anchor = this.lastHost + this.interval - usToNs(deviceUs);
    } else if (placed && !this.fresh) {
      // the device clock's own step within a segment
      this.interval = this.anchor + usToNs(deviceUs) - this.lastHost;
    }
    this.fresh = false;
    const t = this.anchor + usToNs(deviceUs);
    this.lastDevice = deviceUs;
    this.lastHost = t;
    return t;
  }

  state(): ClockState | null {
    if (this.anchor === null) return null;
    return { anchorNs: this.anchor.toString(), lastDeviceUs: this.lastDevice, lastHostNs: this.lastHost.toString(), intervalNs: Number(this.interval), sessionNs: String(this.session ?? '') };
  }
}
