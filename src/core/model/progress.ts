// Training progress as one line of text: the CLI prints it, the extension shows it in its
// progress notification and output channel.
import type { PipelineEvent } from './pipeline';

export function describeEvent(e: PipelineEvent): string {
  if (e.kind === 'stage') return e.message;
  const member = e.members > 1 ? `model ${e.member}/${e.members} ` : '';
  return (
    `${member}epoch ${e.epoch}/${e.epochs}: loss ${e.train.total.toFixed(2)} (reconstruction ${e.train.reconstruction.toFixed(2)}, KL ${e.train.kl.toFixed(2)}), ` +
    `validation ${e.validation.total.toFixed(2)}${e.best ? ' *' : ''}, ${Math.round(e.samplesPerSecond)} samples/s`
  );
}
