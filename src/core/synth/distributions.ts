import type { Random } from '../util/random';

/**
 * How a parameter varies from pattern to pattern. A plain number is a constant. Bounds on a
 * normal distribution truncate it (redrawn until inside).
 */
export type Distribution =
  | number
  | { dist: 'constant'; value: number }
  | { dist: 'uniform'; min: number; max: number }
  | { dist: 'logUniform'; min: number; max: number }
  | { dist: 'normal'; mean: number; sd: number; min?: number; max?: number };

export function sample(d: Distribution, random: Random): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return d.min + (d.max - d.min) * random.float();
    case 'logUniform':
      return Math.exp(Math.log(d.min) + (Math.log(d.max) - Math.log(d.min)) * random.float());
    case 'normal': {
      for (let attempt = 0; attempt < 1000; attempt++) {
        const v = d.mean + d.sd * random.normal();
        if ((d.min === undefined || v >= d.min) && (d.max === undefined || v <= d.max)) return v;
      }
      return Math.min(Math.max(d.mean, d.min ?? -Infinity), d.max ?? Infinity);
    }
  }
}

/** The value a distribution stands for in an ideal (unvaried) pattern: its centre. */
export function central(d: Distribution): number {
  if (typeof d === 'number') return d;
  switch (d.dist) {
    case 'constant':
      return d.value;
    case 'uniform':
      return (d.min + d.max) / 2;
    case 'logUniform':
      return Math.sqrt(d.min * d.max);
    case 'normal':
      return d.mean;
  }
}

/** A problem with a distribution, or undefined when it is usable. */
export function checkDistribution(d: unknown): string | undefined {
  if (typeof d === 'number') return Number.isFinite(d) ? undefined : 'must be a finite number';
  if (typeof d !== 'object' || d === null) return 'must be a number or an object with "dist"';
  const o = d as Record<string, unknown>;
  const num = (k: string) => typeof o[k] === 'number' && Number.isFinite(o[k]);
  switch (o.dist) {
    case 'constant':
      return num('value') ? undefined : '"constant" needs a numeric "value"';
    case 'uniform':
      if (!num('min') || !num('max')) return '"uniform" needs numeric "min" and "max"';
      return (o.min as number) <= (o.max as number) ? undefined : '"min" must not exceed "max"';
    case 'logUniform':
      if (!num('min') || !num('max')) return '"logUniform" needs numeric "min" and "max"';
      if (!((o.min as number) > 0)) return '"logUniform" needs "min" > 0';
      return (o.min as number) <= (o.max as number) ? undefined : '"min" must not exceed "max"';
    case 'normal':
      if (!num('mean') || !num('sd')) return '"normal" needs numeric "mean" and "sd"';
      return (o.sd as number) >= 0 ? undefined : '"sd" must be ≥ 0';
    default:
      return `unknown distribution "${String(o.dist)}" (use constant, uniform, logUniform or normal)`;
  }
}
