// A simulated composition-spread wafer: the demo of a materials library before real ones are
// imported. Samples on a square pitch inside the wafer; the composition varies smoothly from
// one corner element to the next (three sources at 90°, 210° and 330° around the rim, as in a
// co-sputtered ternary spread). The phase map over composition, documented in the README:
//   - an element with fraction ≥ 0.5: that element's known phase alone (single-phase region);
//   - otherwise: a two-phase mixture of the two richest elements' phases, in proportion to
//     their fractions (two-phase region);
//   - and, where no element exceeds 0.4 (the centre), the unknown phase instead: what a
//     novelty detector should find on the wafer.
import { Random } from '../util/random';
import type { Collection, CollectionSample } from '../formats/collection';
import { gridValues } from '../diffraction/render';
import { buildPhaseModels, type DatasetPlan } from './dataset';
import { Simulator, type PhaseShare } from './simulator';
import { UserError } from '../diagnostics';
import { waferPositions, waferProblem } from './limits';

/** Refuses a wafer too large to simulate (limits.ts), naming the option as the command line spells it. */
export function checkWafer(diameter: number, pitch: number, points: number): void {
  const problem = waferProblem(diameter, pitch, points);
  if (problem) throw new UserError(`--${problem.setting}: ${problem.message}`);
}

export interface WaferOptions {
  diameter?: number;
  pitch?: number;
  seed?: number;
  title?: string;
}

export interface WaferTruth {
  /** Per sample: 'single', 'two-phase' or 'unknown'. */
  region: ('single' | 'two-phase' | 'unknown')[];
}

/** Draws the wafer with the plan's phases: its first three known phases at the sources, its first unknown in the centre. */
export function simulateWafer(plan: Pick<DatasetPlan, 'phases' | 'grid' | 'radiation' | 'augmentation'>, elements: string[], options: WaferOptions = {}): { collection: Collection; truth: WaferTruth } {
  const diameter = options.diameter ?? 100;
  const pitch = options.pitch ?? 10;
  checkWafer(diameter, pitch, plan.grid.points);
  const known = plan.phases.map((p, i) => ({ p, i })).filter(({ p }) => p.role === 'known').slice(0, 3);
  const unknown = plan.phases.findIndex((p) => p.role === 'unknown');
  if (known.length < 3) throw new UserError('the wafer needs three known phases in the config (one per source element)');
  const simulator = new Simulator({ phases: buildPhaseModels(plan), grid: plan.grid, radiation: plan.radiation, augmentation: plan.augmentation });
  const random = new Random(options.seed ?? 7);
  const radius = diameter / 2;
  const sources = [90, 210, 330].map((deg) => [radius * Math.cos((deg * Math.PI) / 180), radius * Math.sin((deg * Math.PI) / 180)]);
  const samples: CollectionSample[] = [];
  const truth: WaferTruth = { region: [] };
  const pattern = new Float32Array(plan.grid.points);
  for (const { x, y, row, column } of waferPositions(diameter, pitch)) {
    // Deposition from each source falls off with distance (a Gaussian plume).
    const w = sources.map(([sx, sy]) => Math.exp(-((Math.hypot(x - sx, y - sy) / (0.75 * diameter)) ** 2) * 3));
    const total = w.reduce((a, b) => a + b, 0);
    const fractions = w.map((v) => v / total);
    const order = [0, 1, 2].sort((a, b) => fractions[b] - fractions[a]);
    let shares: PhaseShare[];
    let region: WaferTruth['region'][number];
    if (fractions[order[0]] >= 0.5) {
      shares = [{ phase: known[order[0]].i, fraction: 1 }];
      region = 'single';
    } else if (unknown >= 0 && fractions[order[0]] < 0.4) {
      shares = [{ phase: unknown, fraction: 1 }];
      region = 'unknown';
    } else {
      const a = fractions[order[0]];
      const b = fractions[order[1]];
      shares = [{ phase: known[order[0]].i, fraction: a / (a + b) }, { phase: known[order[1]].i, fraction: b / (a + b) }];
      region = 'two-phase';
    }
    simulator.draw(shares, random, pattern);
    samples.push({
      id: `${String.fromCharCode(65 + row)}${column + 1}`,
      x,
      y,
      composition: Object.fromEntries(elements.map((e, k) => [e, fractions[k]])),
      intensity: Float64Array.from(pattern),
    });
    truth.region.push(region);
  }
  return {
    collection: { title: options.title ?? `Simulated ${elements.join('–')} spread, ${diameter} mm wafer`, kind: 'synthetic', wavelength: plan.radiation.kalpha1, waferDiameter: diameter, twoTheta: gridValues(plan.grid), samples },
    truth,
  };
}
