/**
 * hkl families as pymatgen's XRD calculator reports them (`get_unique_families`): reflections
 * merged into one peak are grouped when their absolute indices are permutations of each
 * other; a family is named by its largest member in tuple order and its multiplicity is the
 * number of members. Hexagonal cells are labelled with 4 Miller–Bravais indices (h, k, −h−k, l).
 */
export interface PeakHkl {
  hkl: number[];
  multiplicity: number;
}

function sortedAbsKey(hkl: readonly number[]): string {
  return hkl
    .map((v) => Math.abs(v))
    .sort((a, b) => a - b)
    .join(',');
}

function compareTuples(a: readonly number[], b: readonly number[]): number {
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return a[i] - b[i];
  return 0;
}

export function millerBravais(h: number, k: number, l: number): number[] {
  // `0 - 0` would be −0, which JSON prints as 0 but deep equality and sorting tell apart.
  return [h, k, -h - k || 0, l];
}

/** Families in order of first appearance in `members`, each named by its largest member. */
export function uniqueFamilies(members: readonly (readonly number[])[]): PeakHkl[] {
  const groups = new Map<string, number[][]>();
  for (const m of members) {
    const key = sortedAbsKey(m);
    const group = groups.get(key);
    if (group) group.push([...m]);
    else groups.set(key, [[...m]]);
  }
  return [...groups.values()].map((group) => ({
    hkl: group.reduce((best, m) => (compareTuples(m, best) > 0 ? m : best)),
    multiplicity: group.length,
  }));
}
