// The latent map (src/shared/latent-map.ts, the model the webview canvas draws too) as a
// standalone SVG: Export Figures (SVG, and PNG through the map's webview) and the paper report
// (`reproduce`) write it. Same points, colours, regions, legend and marks as the screen; the
// figure adds the axes' ticks and a title.
import { MARK_STYLE, POINT_OPACITY, POINT_SIZE, PRINT_PALETTE, REGION_OPACITY, latentMapModel, markRadius, planeScales, regionCell, type LatentMapModel, type LatentMapOptions } from '../../shared/latent-map';
import { phaseColour } from '../../shared/colour-scales';
import { HEIGHT, MARGIN, WIDTH, axes, escape, frame, legendSvg } from './svg';

export function latentMapSvg(map: LatentMapModel['map'], options: LatentMapOptions & { title: string }): string {
  const model = latentMapModel(map, options);
  const scales = planeScales(model.extent, { left: MARGIN.left, top: MARGIN.top, right: WIDTH - MARGIN.right, bottom: HEIGHT - MARGIN.bottom });
  const { x, y } = scales;
  const body: string[] = [];
  const r = map.regions;
  if (r) {
    // A row's run of cells of one phase is one rectangle (a few hundred, not 14,400), drawn with
    // crisp edges: the cells meet without the seams anti-aliasing leaves between translucent shapes.
    body.push('<g shape-rendering="crispEdges">');
    for (let row = 0; row < r.rows; row++) {
      for (let c = 0; c < r.columns; ) {
        const label = r.labels[row * r.columns + c];
        let end = c + 1;
        while (end < r.columns && r.labels[row * r.columns + end] === label) end++;
        // Edges rounded before sizes are taken: neighbouring rectangles share an edge exactly.
        const first = regionCell(r, scales, c, row);
        const last = regionCell(r, scales, end - 1, row);
        const [x0, x1, y0, y1] = [first.x, last.x + last.width, first.y, first.y + first.height].map((v) => Math.round(v * 10) / 10);
        body.push(`<rect x="${x0}" y="${y0}" width="${+(x1 - x0).toFixed(1)}" height="${+(y1 - y0).toFixed(1)}" fill="${phaseColour(label)}" fill-opacity="${REGION_OPACITY}"/>`);
        c = end;
      }
    }
    body.push('</g>');
  }
  // Each point a square (a zero-length segment with square caps), one path per colour: the
  // canvas's squares, and ~15 bytes a point.
  const ref = map.reference.latent;
  for (const { colour, indices } of model.groups) {
    const d = indices.map((i) => `M${x(ref[2 * i]).toFixed(1)} ${y(ref[2 * i + 1]).toFixed(1)}h0`).join('');
    body.push(`<path class="map-points" d="${d}" fill="none" stroke="${colour}" stroke-width="${POINT_SIZE}" stroke-linecap="square" stroke-opacity="${POINT_OPACITY}"/>`);
  }
  if (model.outlined) {
    const o = model.outlined.latent;
    for (let i = 0; i + 1 < o.length; i += 2) {
      body.push(`<circle cx="${x(o[i]).toFixed(1)}" cy="${y(o[i + 1]).toFixed(1)}" r="${MARK_STYLE.outlineRadius}" fill="none" stroke="black" stroke-width="${MARK_STYLE.outlineStroke}"/>`);
    }
    body.push(`<circle cx="${MARGIN.left + 10}" cy="${MARGIN.top - 8}" r="3" fill="none" stroke="black"/><text x="${MARGIN.left + 18}" y="${MARGIN.top - 4}">${escape(model.outlined.label)}</text>`);
  }
  for (const m of model.marks) {
    const px = x(m.x).toFixed(1);
    const py = y(m.y).toFixed(1);
    const stroke = m.focused ? `stroke="${PRINT_PALETTE.focus}" stroke-width="${MARK_STYLE.focusedStroke}"` : `stroke="${PRINT_PALETTE.foreground}" stroke-width="${MARK_STYLE.stroke}"`;
    body.push(`<circle class="mark" cx="${px}" cy="${py}" r="${markRadius(m)}" fill="${m.novel ? PRINT_PALETTE.novel : PRINT_PALETTE.background}" ${stroke}><title>${escape(m.name)}${m.novel ? ' · novel' : ''}</title></circle>`);
    if (m.newest) body.push(`<circle cx="${px}" cy="${py}" r="${MARK_STYLE.newestRing}" fill="none" stroke="${PRINT_PALETTE.newest}" stroke-width="${MARK_STYLE.newestStroke}"/>`);
  }
  const legend = legendSvg(model.colours.legend, WIDTH - MARGIN.right + 16, MARGIN.top, HEIGHT - MARGIN.top - MARGIN.bottom);
  return frame([...body, ...axes(x, y, map.axes[0], map.axes[1]), ...legend], options.title);
}
