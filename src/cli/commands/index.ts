import type { Command } from '../args';
import { structureCommand } from './structure';
import { peaksCommand } from './peaks';
import { simulateCommand } from './simulate';
import { synthCommand } from './synth';
import { benchCommand } from './bench';
import { trainCommand } from './train';
import { scoreCommand } from './score';
import { explainCommand } from './explain';
import { reproduceCommand } from './reproduce';
import { waferCommand } from './wafer';
import { readCommand } from './read';
import { watchCommand } from './watch';
import { importCommand } from './import';
import { calibrateNoveltyCommand } from './calibrate-novelty';
import { calibrateCommand } from './calibrate';
import { exportCommand } from './export';

/** Every `latent-xrd` command, in the order `--help` lists them. */
export const commands: Command[] = [structureCommand, peaksCommand, simulateCommand, synthCommand, calibrateCommand, trainCommand, scoreCommand, explainCommand, exportCommand, calibrateNoveltyCommand, readCommand, watchCommand, importCommand, reproduceCommand, waferCommand, benchCommand];
