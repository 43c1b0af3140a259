/** Well-known files of the project, for CLI defaults. */
import { rootPath } from '../util/paths.ts';

/** The organism `petri serve` grows when none is given. */
export const DEMO_ORGANISM_PATH = rootPath('fixtures', 'organisms', 'demo.yaml');
