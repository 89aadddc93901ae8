// A simulated composition spread whose phases come from a phase map over composition
// (phase-map.ts): one sputter source per element around the rim of the wafer, each sample's
// composition from the sources' plumes, its pattern a draw of the phases the map puts there —
// single-phase near a region's centre, a lever-rule mixture between two regions.
import { Random } from '../util/random';
import type { Collection, CollectionSample } from '../formats/collection';
import { gridValues } from '../diffraction/render';
import { buildPhaseModels, type DatasetPlan } from './dataset';
import { Simulator } from './simulator';
import { waferPositions } from './limits';
import { checkWafer } from './wafer';
import { phaseMapFromPlan, phasesAt, type PhaseRegion } from './phase-map';

export interface SpreadOptions {
  diameter?: number;
  pitch?: number;
  seed?: number;
  title?: string;
  /** Plume width as a fraction of the diameter (smaller: steeper gradients, purer corners). */
  plume?: number;
}

export interface SpreadTruth {
  /** Per sample, the phases (plan indices) and fractions the map put there. */
  regions: PhaseRegion[];
}

/** Composition at (x, y) mm: Gaussian plumes from sources evenly spaced around the rim, the first at 90°. */
export function spreadComposition(x: number, y: number, elements: number, diameter: number, plume = 0.5): number[] {
  const radius = diameter / 2;
  const w: number[] = [];
  for (let k = 0; k < elements; k++) {
    const angle = Math.PI / 2 + (2 * Math.PI * k) / elements;
    const d = Math.hypot(x - radius * Math.cos(angle), y - radius * Math.sin(angle));
    w.push(Math.exp(-((d / (plume * diameter)) ** 2)));
  }
  const total = w.reduce((a, b) => a + b, 0);
  return w.map((v) => v / total);
}

export function simulateSpread(plan: Pick<DatasetPlan, 'phases' | 'grid' | 'radiation' | 'augmentation'>, elements: string[], options: SpreadOptions = {}): { collection: Collection; truth: SpreadTruth } {
  const diameter = options.diameter ?? 100;
  const pitch = options.pitch ?? 5;
  checkWafer(diameter, pitch, plan.grid.points);
  const map = phaseMapFromPlan(plan.phases, elements);
  const simulator = new Simulator({ phases: buildPhaseModels(plan), grid: plan.grid, radiation: plan.radiation, augmentation: plan.augmentation });
  const random = new Random(options.seed ?? 11);
  const pattern = new Float32Array(plan.grid.points);
  const samples: CollectionSample[] = [];
  const truth: SpreadTruth = { regions: [] };
  for (const { x, y, row, column } of waferPositions(diameter, pitch)) {
    const fractions = spreadComposition(x, y, elements.length, diameter, options.plume);
    const region = phasesAt(map, fractions);
    simulator.draw(region.shares.filter((s) => s.fraction > 0), random, pattern);
    samples.push({
      id: `r${row + 1}c${column + 1}`,
      x,
      y,
      composition: Object.fromEntries(elements.map((e, k) => [e, fractions[k]])),
      intensity: Float64Array.from(pattern),
    });
    truth.regions.push(region);
  }
  const names = map.phases.map((p) => p.name).join(', ');
  return {
    collection: {
      title: options.title ?? `Simulated ${elements.join('–')} spread, ${diameter} mm wafer`,
      kind: 'synthetic',
      wavelength: plan.radiation.kalpha1,
      waferDiameter: diameter,
      note: `Simulated: sources of ${elements.join(', ')} around the rim; phases (${names}) from the phase map of latent-xrd.json (single-phase within ${map.radius} of each phase's composition, lever-rule mixtures of the two nearest phases between).`,
      twoTheta: gridValues(plan.grid),
      samples,
    },
    truth,
  };
}
