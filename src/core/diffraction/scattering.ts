import pymatgenTable from './tables/pymatgen-atomic-scattering-params.json';
import wkTable from './tables/waasmaier-kirfel-f0.json';
import { ELEMENTS } from '../crystal/elements';
import { UserError } from '../diagnostics';

/**
 * Atomic X-ray scattering factors f0(s), s = sinθ/λ in Å⁻¹.
 *
 * - `pymatgen`: f = Z − 41.78214·s²·Σ₄ aᵢ·exp(−bᵢ·s²) — the form and table pymatgen's
 *   XRDCalculator uses (41.78214 = 8π²·a₀·… absorbs the unit conversion of its fit), so peak
 *   intensities match it to the last digit.
 * - `waasmaier-kirfel`: f = c + Σ₅ aᵢ·exp(−bᵢ·s²) (Acta Cryst. A51, 416 (1995)), as VESTA
 *   uses; it has ions (`Fe2+`), used when the species carries a charge the table knows.
 */
export type ScatteringTable = 'pymatgen' | 'waasmaier-kirfel';

/** f0 as a function of s² for one species; evaluated once per reflection, so kept as a closure. */
export type FormFactor = (s2: number) => number;

const PM = pymatgenTable as unknown as Record<string, [number, number][]>;
const WK = wkTable as unknown as Record<string, { a: number[]; b: number[]; c: number }>;

export function atomicNumber(element: string): number {
  const z = ELEMENTS.indexOf(element) + 1;
  if (z <= 0) throw new UserError(`unknown element "${element}"`);
  return z;
}

function ionName(element: string, charge: number | undefined): string | undefined {
  if (!charge) return undefined;
  const magnitude = Math.abs(charge);
  return `${element}${magnitude}${charge > 0 ? '+' : '-'}`;
}

export function formFactor(element: string, table: ScatteringTable, oxidationState?: number): FormFactor {
  if (table === 'pymatgen') {
    const coeffs = PM[element];
    if (!coeffs) throw new UserError(`no pymatgen scattering factors for "${element}"`);
    const z = atomicNumber(element);
    const a = coeffs.map((c) => c[0]);
    const b = coeffs.map((c) => c[1]);
    return (s2) => {
      let sum = 0;
      for (let i = 0; i < a.length; i++) sum += a[i] * Math.exp(-b[i] * s2);
      return z - 41.78214 * s2 * sum;
    };
  }
  const entry = WK[ionName(element, oxidationState) ?? element] ?? WK[element];
  if (!entry) throw new UserError(`no Waasmaier–Kirfel scattering factors for "${element}"`);
  const { a, b, c } = entry;
  return (s2) => {
    let sum = c;
    for (let i = 0; i < 5; i++) sum += a[i] * Math.exp(-b[i] * s2);
    return sum;
  };
}
