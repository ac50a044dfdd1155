import { createInterface } from 'node:readline';
import type { Command } from 'commander';
import { RingEmulator } from '../../../drivers/ring/emulator.ts';
import { type FaultEvent, type Scenario, parseControlLine, parseWindow, readScenario } from '../../../drivers/ring/faults.ts';
import { RingDeviceModel } from '../../../drivers/ring/model.ts';
import { PtyEmulatorHost, assertLinkFree } from '../../../drivers/ring/pty.ts';
import { RingSimulator } from '../../../drivers/sim/simulator.ts';
import { truthToJson } from '../../../drivers/sim/truth.ts';
import { parseMetricSpec } from '../../physics/metric.ts';
import { validateDelta } from '../../physics/params.ts';
import { numberArg, withFlag, writeOutput } from '../args.ts';

interface EmulateOptions {
  link: string; metric: string; delta: number; sites: number; seed: number; rate: number; speed: number;
  corrupt: number; drop: number; garbage: number; stall: string[]; disconnect: string[]; unplug: string[]; replyDelay: number;
  truth?: string; scenario?: string; quiet?: boolean; control?: boolean;
}

const collect = (v: string, prev: string[]): string[] => [...prev, v];

export function registerEmulate(program: Command): void {
  program
    .command('emulate')
    .description('serve a simulated ring over the ring protocol on a pseudo-terminal (socat), with optional fault injection')
    .option('--link <path>', 'path of the pseudo-terminal to create', '/tmp/ttyRING')
    .option('--metric <spec>', 'bulk metric: ads | deformed[:a1,a2,w] | btz[:rh] | blackhole[:rh,af,ag,c,w] | FILE.json', 'ads')
    .option('--delta <Δ>', 'conformal dimension Δ of the probe operator', numberArg('--delta'), 1.5)
    .option('--sites <n>', 'sites around the ring', numberArg('--sites', { integer: true, min: 4, max: 512 }), 64)
    .option('--seed <n>', 'seed of noise, calibration errors and faults', numberArg('--seed', { integer: true, min: 0 }), 1)
    .option('--rate <hz>', 'data frames per second while streaming', numberArg('--rate', { min: 0, exclusiveMin: true, max: 10_000 }), 20)
    .option('--speed <x>', 'run time this many times faster (dwell and frame period shrink)', numberArg('--speed', { min: 0, exclusiveMin: true, max: 10_000 }), 1)
    .option('--corrupt <p>', 'fraction of data frames with one corrupted byte', numberArg('--corrupt', { min: 0, max: 1 }), 0)
    .option('--drop <p>', 'fraction of data frames never sent', numberArg('--drop', { min: 0, max: 1 }), 0)
    .option('--garbage <p>', 'fraction of data frames preceded by 1–24 random bytes of line noise', numberArg('--garbage', { min: 0, max: 1 }), 0)
    .option('--stall <at:seconds>', 'send nothing for SECONDS starting AT seconds after start (repeatable)', collect, [])
    .option('--disconnect <at:seconds>', 'remove the port at AT seconds, bring it back after SECONDS as a rebooted device (repeatable)', collect, [])
    .option('--unplug <at:seconds>', 'remove the port at AT seconds, bring it back after SECONDS; the device keeps running and numbering its frames (repeatable)', collect, [])
    .option('--reply-delay <ms>', 'delay every command reply by this many ms', numberArg('--reply-delay', { min: 0, max: 60_000 }), 0)
    .option('--truth <file>', 'write the injected calibration errors (gains, offsets) as JSON')
    .option('--scenario <file>', 'JSON scenario: settings and a timeline of faults (flags given on the command line win)')
    .option('--control', 'read fault events from stdin, one JSON object a line, played at once (e.g. {"stall": 10}, {"corrupt": 0.02}; durations in device seconds)')
    .option('--quiet', 'no banner on stderr (SIGUSR2 makes the device stop sending frames; at exit the counters are printed as JSON on stdout)')
    .action(async (o: EmulateOptions, cmd: Command) => {
      const fromCli = (name: string): boolean => cmd.getOptionValueSource(name) === 'cli';
      withFlag('--link', () => assertLinkFree(o.link));
      const sc: Scenario = o.scenario ? withFlag('--scenario', () => readScenario(o.scenario as string)) : {};
      const pick = <K extends keyof Scenario & keyof EmulateOptions>(k: K): EmulateOptions[K] =>
        (sc[k] !== undefined && !fromCli(k) ? sc[k] : o[k]) as EmulateOptions[K];
      const metricSpec = pick('metric');
      const metric = withFlag('--metric', () => parseMetricSpec(metricSpec));
      withFlag('--delta', () => validateDelta(o.delta));
      const seed = pick('seed');
      const sim = new RingSimulator({ metric, delta: o.delta, sites: pick('sites'), seed });
      const events: FaultEvent[] = [
        ...(sc.events ?? []),
        ...o.stall.map((v) => parseWindow('--stall', v)).map((w) => ({ at: w.at, stall: w.seconds })),
        ...o.disconnect.map((v) => parseWindow('--disconnect', v)).map((w) => ({ at: w.at, disconnect: w.seconds })),
        ...o.unplug.map((v) => parseWindow('--unplug', v)).map((w) => ({ at: w.at, unplug: w.seconds })),
      ];
      if (o.truth) {
        writeOutput('--truth', o.truth, JSON.stringify(truthToJson(sim.truth(), seed), null, 2) + '\n');
      }
      const faults = {
        corrupt: fromCli('corrupt') ? o.corrupt : sc.corrupt ?? o.corrupt,
        drop: fromCli('drop') ? o.drop : sc.drop ?? o.drop,
        garbage: fromCli('garbage') ? o.garbage : sc.garbage ?? o.garbage,
        replyDelayMs: fromCli('replyDelay') ? o.replyDelay : sc.replyDelayMs ?? o.replyDelay,
        events,
      };
      let host: PtyEmulatorHost | null = null;
      const model = new RingDeviceModel({ sim, rate: pick('rate'), identity: { serial: `SIM-${seed}` } });
      const emulator = new RingEmulator({ model, speed: pick('speed'), faults, seed, onDisconnect: (s, reboot) => host?.disconnect(s, reboot) });
      host = new PtyEmulatorHost({ link: o.link, emulator });
      // listen before starting, so a signal during start-up still cleans up
      const stopSignal = new Promise<string>((resolve) => {
        process.once('SIGINT', () => resolve('SIGINT'));
        process.once('SIGTERM', () => resolve('SIGTERM'));
      });
      await host.start();
      emulator.start();
      // SIGUSR2: the device stops sending frames (a run ends at a known frame, e.g. for \`npm run soak\`)
      process.on('SIGUSR2', () => emulator.hold());
      // the control channel: a bad line is reported and skipped, the device goes on
      const control = o.control ? createInterface({ input: process.stdin }) : null;
      if (control) {
        control.on('line', (line) => {
          if (!line.trim()) return;
          try {
            emulator.inject(parseControlLine(line));
          } catch (e) {
            process.stderr.write(`holoring emulate: ${(e as Error).message}\n`);
          }
        });
      }
      if (!o.quiet) {
        process.stderr.write(`holoring emulate: simulated ring (metric ${metric.label}, ${sim.sites} sites, seed ${seed}, ${model.rate} frames/s) on ${o.link}; Ctrl-C to stop\n`);
      }
      const signal = await stopSignal;
      // an open stdin would keep the process alive
      control?.close();
      if (control) process.stdin.destroy();
      emulator.stop();
      await host.stop();
      const s = emulator.stats();
      // the device's own count, for the exact account sent = received + missing + duplicates
      const { commands: _commands, ...counters } = s;
      process.stdout.write(JSON.stringify(counters) + '\n');
      if (!o.quiet) process.stderr.write(`holoring emulate: stopped on ${signal}; ${s.commands} commands served, ${s.unsent} frames not sent (nobody reading); removed ${o.link}\n`);
    });
}
