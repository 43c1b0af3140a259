#!/usr/bin/env node
// The `petri` command. The engine is TypeScript run through tsx's loader (transforms are cached).
import { register } from 'tsx/esm/api';

register();
const { main } = await import('../engine/api/cli.ts');
process.exitCode = await main(process.argv.slice(2));
