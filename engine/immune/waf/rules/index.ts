/** Every rule group, in the order they are evaluated (most frequent attacks first). */
import type { RuleGroup } from '../types.ts';
import { cmdi } from './cmdi.ts';
import { code } from './code.ts';
import { lfi } from './lfi.ts';
import { protocol } from './protocol.ts';
import { rfi } from './rfi.ts';
import { scanner } from './scanner.ts';
import { session } from './session.ts';
import { sqli } from './sqli.ts';
import { ssrf } from './ssrf.ts';
import { ssti } from './ssti.ts';
import { xss } from './xss.ts';

/** All rule groups shipped with the WAF. */
export const RULE_GROUPS: readonly RuleGroup[] = [protocol, scanner, sqli, xss, lfi, cmdi, code, ssrf, ssti, rfi, session];
