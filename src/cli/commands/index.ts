import type { Command } from '../args';
import { structureCommand } from './structure';

/** Every `latent-xrd` command, in the order `--help` lists them. */
export const commands: Command[] = [structureCommand];
