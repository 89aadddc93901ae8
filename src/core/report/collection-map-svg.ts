// The library map (src/shared/collection-map.ts, the model the editor draws too) as a standalone
// SVG, for papers and reports: `latent-xrd score --map` and the editor's Export write it.
import { mapColours, mapLayout, type CollectionColouring, type LayoutOptions, type MapLayout, type MapSample } from '../../shared/collection-map';
import { NOVEL_COLOUR } from '../../shared/colour-scales';
import { escape, legendSvg } from './svg';

/** Follows the SVG's opening tag: how a later export recognises the file as Latent XRD's own map (report/output-marks.ts). */
export const MAP_SVG_MARK = '<!-- latent-xrd collection map -->';

/** The map as a standalone SVG (white background, legend at the right). */
export function collectionMapSvg(samples: readonly MapSample[], options: { title: string; subtitle?: string; by: CollectionColouring } & LayoutOptions): string {
  const layout = mapLayout(samples, { ...options, size: options.size ?? 480 });
  const { fill, legend } = mapColours(samples, options.by);
  const legendWidth = 190;
  const top = options.subtitle ? 52 : 36;
  const width = layout.size + legendWidth;
  const height = layout.size + top + (layout.note ? 24 : 8);
  const out: string[] = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${width}" height="${height}" viewBox="0 0 ${width} ${height}" font-family="sans-serif" font-size="12">`,
    MAP_SVG_MARK,
    `<rect width="100%" height="100%" fill="white"/>`,
    `<text x="${width / 2}" y="22" text-anchor="middle" font-size="15" textLength="${Math.min(width - 16, options.title.length * 8)}" lengthAdjust="spacingAndGlyphs">${escape(options.title)}</text>`,
    options.subtitle ? `<text x="${width / 2}" y="40" text-anchor="middle" font-size="12" fill="#444">${escape(options.subtitle)}</text>` : '',
    `<g transform="translate(0 ${top})">`,
  ];
  out.push(...frameSvg(layout));
  layout.points.forEach(([x, y], i) => {
    const s = samples[i];
    const stroke = s.verdict === 'novel' ? ` stroke="${NOVEL_COLOUR}" stroke-width="2"` : ' stroke="#555" stroke-width="0.5"';
    out.push(`<circle class="sample" cx="${x.toFixed(2)}" cy="${y.toFixed(2)}" r="${layout.radius.toFixed(2)}" fill="${fill[i] ?? '#cccccc'}"${stroke}><title>${escape(s.id)}</title></circle>`);
  });
  out.push('</g>');
  out.push(...legendSvg(legend, layout.size + 16, top + 8, layout.size - 16));
  if (layout.note) out.push(`<text x="8" y="${height - 8}" font-size="11" fill="#444">${escape(layout.note)}</text>`);
  out.push('</svg>');
  return out.join('\n');
}

function frameSvg(layout: MapLayout): string[] {
  if (layout.wafer) {
    const w = layout.wafer;
    return [
      `<circle cx="${w.cx}" cy="${w.cy}" r="${w.r}" fill="none" stroke="#888"/>`,
      `<text x="${w.cx}" y="${layout.size - 2}" text-anchor="middle" font-size="10" fill="#666">⌀ ${w.diameterMm.toFixed(0)} mm</text>`,
    ];
  }
  if (layout.ternary) {
    const t = layout.ternary;
    const [a, b, c] = t.vertices;
    const out = [`<polygon points="${[a, b, c].map((p) => p.map((v) => v.toFixed(1)).join(',')).join(' ')}" fill="none" stroke="#333"/>`];
    for (const g of t.gridLines) {
      out.push(`<line x1="${g.from[0].toFixed(1)}" y1="${g.from[1].toFixed(1)}" x2="${g.to[0].toFixed(1)}" y2="${g.to[1].toFixed(1)}" stroke="#ddd"/>`);
      out.push(`<text x="${g.at[0].toFixed(1)}" y="${g.at[1].toFixed(1)}" font-size="9" fill="#888" text-anchor="middle" dy="-2">${g.label}</text>`);
    }
    out.push(`<text x="${a[0] - 4}" y="${a[1] + 16}" text-anchor="middle" font-weight="bold">${escape(t.corners[0])}</text>`);
    out.push(`<text x="${b[0] + 4}" y="${b[1] + 16}" text-anchor="middle" font-weight="bold">${escape(t.corners[1])}</text>`);
    out.push(`<text x="${c[0]}" y="${c[1] - 8}" text-anchor="middle" font-weight="bold">${escape(t.corners[2])}</text>`);
    return out;
  }
  return [];
}
