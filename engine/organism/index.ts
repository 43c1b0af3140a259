/** Organism manifests: schema, loading with precise errors, and the normalised model. */
export * from './schema.ts';
export * from './model.ts';
export { loadOrganismFile, parseOrganism, checkNewCell, semanticIssues, type LoadedOrganism } from './load.ts';
