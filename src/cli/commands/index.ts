import type { Command } from '../args';
import { structureCommand } from './structure';
import { peaksCommand } from './peaks';

/** Every `latent-xrd` command, in the order `--help` lists them. */
export const commands: Command[] = [structureCommand, peaksCommand];
