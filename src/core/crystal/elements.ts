/**
 * Element symbols and the two CIF spellings of an atom's identity: a type symbol with a
 * charge (`Fe2+`, `O2-`, `Na+`, `Ow` for water oxygen) and a site label (`Fe1`, `OW3`, `Ca2a`).
 */
const SYMBOLS =
  'H He Li Be B C N O F Ne Na Mg Al Si P S Cl Ar K Ca Sc Ti V Cr Mn Fe Co Ni Cu Zn Ga Ge As Se Br Kr ' +
  'Rb Sr Y Zr Nb Mo Tc Ru Rh Pd Ag Cd In Sn Sb Te I Xe Cs Ba La Ce Pr Nd Pm Sm Eu Gd Tb Dy Ho Er Tm Yb Lu ' +
  'Hf Ta W Re Os Ir Pt Au Hg Tl Pb Bi Po At Rn Fr Ra Ac Th Pa U Np Pu Am Cm Bk Cf Es Fm Md No Lr ' +
  'Rf Db Sg Bh Hs Mt Ds Rg Cn Nh Fl Mc Lv Ts Og';

export const ELEMENTS: readonly string[] = SYMBOLS.split(' ');
const ELEMENT_SET = new Set(ELEMENTS);
/** Hydrogen isotopes scatter X-rays as hydrogen. */
const ALIASES: Record<string, string> = { D: 'H', T: 'H' };

export function isElement(symbol: string): boolean {
  return ELEMENT_SET.has(symbol);
}

function capitalise(s: string): string {
  return s.charAt(0).toUpperCase() + s.slice(1).toLowerCase();
}

function known(symbol: string): string | undefined {
  const s = capitalise(symbol);
  if (ELEMENT_SET.has(s)) return s;
  return ALIASES[s];
}

/**
 * The element at the start of a type symbol or label: two letters when they make an element
 * (`Fe1`, `CA1` → Ca), else one (`OW3` → O, `Hw` → H, `C12A` → C). In a mixed-case label an
 * upper-case second letter starts a new word (`HOh1` is the H of an OH, not holmium), and
 * AMCSD's `Wat` is water oxygen. When the elements of `_chemical_formula_sum` are known
 * (`allowed`), a reading that is in the formula wins (`W1` in a file without tungsten).
 */
export function elementFromLabel(label: string, allowed?: ReadonlySet<string>): string | undefined {
  const m = /^[A-Za-z]+/.exec(label.trim());
  if (!m) return undefined;
  const letters = m[0];
  if (/^wat/i.test(letters)) return 'O';
  const mixedCase = /[a-z]/.test(letters) && /[A-Z]/.test(letters);
  const secondUpper = letters.length >= 2 && letters[1] >= 'A' && letters[1] <= 'Z';
  const two = letters.length >= 2 && !(mixedCase && secondUpper) ? known(letters.slice(0, 2)) : undefined;
  const one = known(letters.slice(0, 1));
  if (allowed && allowed.size > 0) {
    if (two && allowed.has(two)) return two;
    if (one && allowed.has(one)) return one;
    if (letters[0] === 'W' && !allowed.has('W') && allowed.has('O')) return 'O';
  }
  return two ?? one;
}

export interface TypeSymbol {
  element: string;
  oxidationState?: number;
}

/** `Fe2+` → Fe, +2; `O2-` → O, −2; `Fe+3` → Fe, +3; `Na+` → Na, +1; `Ow` → O. */
export function parseTypeSymbol(symbol: string): TypeSymbol | undefined {
  const s = symbol.trim();
  const m = /^([A-Za-z]+)(?:([+-])(\d+)|(\d*)([+-]))?/.exec(s);
  if (!m) return undefined;
  const letters = m[1];
  let element = letters.length <= 2 ? known(letters) : undefined;
  element ??= elementFromLabel(letters);
  if (!element) return undefined;
  let oxidationState: number | undefined;
  if (m[2]) oxidationState = (m[2] === '-' ? -1 : 1) * Number(m[3]);
  else if (m[5]) oxidationState = (m[5] === '-' ? -1 : 1) * (m[4] ? Number(m[4]) : 1);
  return oxidationState === undefined ? { element } : { element, oxidationState };
}
