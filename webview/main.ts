// Entry point of every webview page: route host messages to the page named by <body data-view>.
import { onMessage, send, serve } from './host';
import { showError } from './dom';
import { setStructureMap, showLatentMap, showPattern, showStructures, showVariations } from './views';
import { showCollection, showSample } from './collection-page';

const view = document.body.dataset.view;

onMessage((m) => {
  switch (m.type) {
    case 'pattern':
      return showPattern(m.pattern);
    case 'structures':
      setStructureMap(m.map);
      return showStructures(m);
    case 'variations':
      return showVariations(m);
    case 'latentMap':
      return showLatentMap(m);
    case 'collection':
      return showCollection(m.collection);
    case 'sample':
      return showSample(m);
    case 'error':
      return showError(m.title, m.message, m.problems, view !== 'latentMap' && view !== 'cif');
  }
});

serve({ rasterize: ({ svg, scale }) => rasterize(svg, scale) });

/** SVG → PNG (base64) through an image and a canvas: the browser has the fonts the figure names. */
async function rasterize(svg: string, scale: number): Promise<{ png: string }> {
  const image = new Image();
  const url = URL.createObjectURL(new Blob([svg], { type: 'image/svg+xml' }));
  await new Promise<void>((resolve, reject) => {
    image.onload = () => resolve();
    image.onerror = () => reject(new Error('the SVG could not be drawn'));
    image.src = url;
  });
  const canvas = document.createElement('canvas');
  canvas.width = image.naturalWidth * scale;
  canvas.height = image.naturalHeight * scale;
  const ctx = canvas.getContext('2d')!;
  ctx.scale(scale, scale);
  ctx.drawImage(image, 0, 0);
  URL.revokeObjectURL(url);
  return { png: canvas.toDataURL('image/png').split(',')[1] };
}

send({ type: 'ready' });
