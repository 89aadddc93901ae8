// Writes the 21 Co–Ni–Cr–Re structures of this folder (run: node write-cifs.mjs).
// Elements: published lattice parameters (sources below, each named in its file).
// Solid solutions: lattice parameters from those elements' atomic volumes by Zen's law
// (Vegard's law on the volume per atom, V = Σ xᵢ Vᵢ, each Vᵢ from the element's own structure);
// hcp c/a interpolated between the hcp elements (Co, Re) present, weighted by their fractions.
// Derived, not measured: every such file says so.
import { writeFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';

const here = dirname(fileURLToPath(import.meta.url));
const ELEMENTS = {
  Co_hcp: { a: 2.5074, c: 4.0699, source: 'A. Taylor and R. W. Floyd, Acta Cryst. 3, 285-289 (1950), AMCSD 0009140 (T < 450 C)' },
  Co_fcc: { a: 3.5447, source: 'H. E. Swanson et al., NBS Circular 539 vol. 4, p. 10 (1955) [value as recalled; verify against the source]' },
  Ni: { a: 3.5238, source: 'H. E. Swanson and E. Tatge, NBS Circular 539 vol. 1, p. 13 (1953), 26 C' },
  Cr: { a: 2.8839, source: 'H. E. Swanson, N. T. Gilfrich and G. M. Ugrinic, NBS Circular 539 vol. 5, p. 20 (1955), 25 C' },
  Re: { a: 2.760, c: 4.458, source: 'H. E. Swanson, R. K. Fuyat and G. M. Ugrinic, NBS Circular 539 vol. 2, p. 13 (1953) [value as recalled; verify against the source]' },
};
// Volume per atom of each element in its own structure (Å³).
const V = {
  Co: (Math.sqrt(3) / 2) * ELEMENTS.Co_hcp.a ** 2 * ELEMENTS.Co_hcp.c / 2,
  Ni: ELEMENTS.Ni.a ** 3 / 4,
  Cr: ELEMENTS.Cr.a ** 3 / 2,
  Re: (Math.sqrt(3) / 2) * ELEMENTS.Re.a ** 2 * ELEMENTS.Re.c / 2,
};
const CA = { Co: ELEMENTS.Co_hcp.c / ELEMENTS.Co_hcp.a, Re: ELEMENTS.Re.c / ELEMENTS.Re.a };

const GROUPS = {
  fcc: { hm: 'F m -3 m', hall: '-F 4 2 3', it: 225, wyckoff: 'a', xyz: [0, 0, 0], z: 4, type: 'A1 (Cu type)' },
  bcc: { hm: 'I m -3 m', hall: '-I 4 2 3', it: 229, wyckoff: 'a', xyz: [0, 0, 0], z: 2, type: 'A2 (W type)' },
  hcp: { hm: 'P 63/m m c', hall: '-P 6c 2c', it: 194, wyckoff: 'c', xyz: ['0.33333', '0.66667', '0.25'], z: 2, type: 'A3 (Mg type)' },
};

// name, lattice, composition, note
const STRUCTURES = [
  ['Co-hcp', 'hcp', { Co: 1 }, 'element'],
  ['Co-fcc', 'fcc', { Co: 1 }, 'element'],
  ['Ni-fcc', 'fcc', { Ni: 1 }, 'element'],
  ['Cr-bcc', 'bcc', { Cr: 1 }, 'element'],
  ['Re-hcp', 'hcp', { Re: 1 }, 'element'],
  ['Ni75Co25-fcc', 'fcc', { Ni: 0.75, Co: 0.25 }],
  ['Ni50Co50-fcc', 'fcc', { Ni: 0.5, Co: 0.5 }],
  ['Co75Ni25-fcc', 'fcc', { Co: 0.75, Ni: 0.25 }],
  ['Ni80Cr20-fcc', 'fcc', { Ni: 0.8, Cr: 0.2 }],
  ['Ni90Re10-fcc', 'fcc', { Ni: 0.9, Re: 0.1 }],
  ['Co34Ni33Cr33-fcc', 'fcc', { Co: 0.34, Ni: 0.33, Cr: 0.33 }],
  ['Co85Ni15-hcp', 'hcp', { Co: 0.85, Ni: 0.15 }],
  ['Co80Cr20-hcp', 'hcp', { Co: 0.8, Cr: 0.2 }],
  ['Co75Re25-hcp', 'hcp', { Co: 0.75, Re: 0.25 }],
  ['Co50Re50-hcp', 'hcp', { Co: 0.5, Re: 0.5 }],
  ['Co25Re75-hcp', 'hcp', { Co: 0.25, Re: 0.75 }],
  ['Co70Cr15Re15-hcp', 'hcp', { Co: 0.7, Cr: 0.15, Re: 0.15 }],
  ['Cr90Re10-bcc', 'bcc', { Cr: 0.9, Re: 0.1 }],
  ['Cr70Re30-bcc', 'bcc', { Cr: 0.7, Re: 0.3 }],
  ['Cr90Co10-bcc', 'bcc', { Cr: 0.9, Co: 0.1 }],
  ['Cr90Ni10-bcc', 'bcc', { Cr: 0.9, Ni: 0.1 }],
];

function elementCell(name, lattice) {
  const el = Object.keys(STRUCTURES.find((s) => s[0] === name)[2])[0];
  const key = el === 'Co' ? `Co_${lattice}` : el;
  const e = ELEMENTS[key];
  return { a: e.a, c: e.c ?? e.a, source: e.source };
}

function derivedCell(lattice, comp) {
  const v = Object.entries(comp).reduce((s, [el, x]) => s + x * V[el], 0);
  if (lattice === 'fcc') return { a: Math.cbrt(4 * v) };
  if (lattice === 'bcc') return { a: Math.cbrt(2 * v) };
  const hcpShare = (comp.Co ?? 0) + (comp.Re ?? 0);
  const ca = ((comp.Co ?? 0) * CA.Co + (comp.Re ?? 0) * CA.Re) / hcpShare;
  const a = Math.cbrt((4 * v) / (Math.sqrt(3) * ca));
  return { a, c: a * ca };
}

const f4 = (x) => x.toFixed(4);
for (const [name, lattice, comp, kind] of STRUCTURES) {
  const g = GROUPS[lattice];
  const cell = kind === 'element' ? elementCell(name, lattice) : derivedCell(lattice, comp);
  const c = cell.c ?? cell.a;
  const formula = Object.entries(comp).map(([el, x]) => `${el}${x === 1 ? '' : x}`).join(' ');
  const header = kind === 'element'
    ? [`${name}: ${g.type}, ${g.hm.replace(/ /g, '')} (No. ${g.it}).`, `Lattice parameters: ${cell.source}.`]
    : [
        `${name}: disordered solid solution, ${g.type}, ${g.hm.replace(/ /g, '')} (No. ${g.it}), composition ${formula}.`,
        'Lattice parameters DERIVED, not measured: Zen\'s law (Vegard on the volume per atom) from the',
        'elements\' published cells in this folder (Co-hcp, Ni-fcc, Cr-bcc, Re-hcp files);',
        lattice === 'hcp' ? 'c/a interpolated between Co and Re by their fractions.' : 'cubic cell from that volume.',
        'The phase itself is in the binary/ternary diagrams (README.md of this folder).',
      ];
  const lines = [
    ...header.map((l) => `# ${l}`),
    `# Atoms at Wyckoff ${g.z}${g.wyckoff} (${g.xyz.join(', ')}), every site shared by the composition.`,
    '# Written for Latent XRD by write-cifs.mjs; symmetry is generated from the space-group symbol.',
    `data_${name.replace(/-/g, '_')}`,
    `_chemical_formula_sum             '${formula}'`,
    `_cell_length_a                    ${f4(cell.a)}`,
    `_cell_length_b                    ${f4(cell.a)}`,
    `_cell_length_c                    ${f4(c)}`,
    '_cell_angle_alpha                 90',
    '_cell_angle_beta                  90',
    `_cell_angle_gamma                 ${lattice === 'hcp' ? 120 : 90}`,
    `_cell_formula_units_Z             ${g.z}`,
    `_space_group_name_H-M_alt         '${g.hm}'`,
    `_space_group_name_Hall            '${g.hall}'`,
    `_space_group_IT_number            ${g.it}`,
    'loop_',
    '_atom_site_label',
    '_atom_site_type_symbol',
    '_atom_site_Wyckoff_symbol',
    '_atom_site_fract_x',
    '_atom_site_fract_y',
    '_atom_site_fract_z',
    '_atom_site_occupancy',
    ...Object.entries(comp).map(([el, x]) => `${el}1 ${el} ${g.wyckoff} ${g.xyz.join(' ')} ${x}`),
    '',
  ];
  writeFileSync(join(here, `${name}.cif`), lines.join('\n'));
}
console.log(`wrote ${STRUCTURES.length} CIFs`);
