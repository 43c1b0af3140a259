/**
 * Remote file inclusion (CRS 931xxx): a value that is a URL to code the application might
 * `include`. A URL alone is normal (notes, profiles, webhooks), so what blocks is the shape of an
 * inclusion: an IP-literal host, a trailing `?`/`#`/NUL that cuts off the application's suffix,
 * a web-shell name, a UNC path, inline `data:` code. Weaker hints (a script extension, a host
 * known for serving payloads) only warn, and block together.
 */
import type { RuleGroup } from '../types.ts';
import { ARGUMENTS, ruleMaker } from './make.ts';

const args = { where: ARGUMENTS };

const r = ruleMaker('rfi');

const URL_START = `^\\s*(?:(?:https?|ftps?|php|data|gopher|smb|dict|file):)?\\/\\/`;

/** Remote file inclusion rules. */
export const rfi: RuleGroup = {
  cls: 'rfi',
  gate: /\/\/|\\\\|data:/,
  rules: [
    r(
      931100,
      'critical',
      1,
      'text',
      new RegExp(
        `^\\s*(?:(?:file|ftps?|https?|php|gopher|smb|dict):)?\\/\\/(?:[^/@\\s]*@)?\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}\\.\\d{1,3}`,
      ),
      'URL with an IP-literal host',
      args,
    ),
    r(931110, 'critical', 1, 'text', new RegExp(`${URL_START}\\S*?(?:\\?+|\\x00|#|&)\\s*$`), 'URL ending in ?, # or NUL', args),
    r(
      931120,
      'critical',
      1,
      'text',
      /(?:https?|ftps?):\/\/\S*?\/(?:[\w.-]*\/)*(?:c99|c100|r57|r99|b374k|wso|webshell|shell|cmd|backdoor|php-?backdoor|revshell|reverse[-_]?shell|simple-backdoor|phpshell|phpspy|indoxploit|alfa|priv8|bypass|evil|exploit|payload|inject|rce|pwn|owned)[\w-]*(?:\.(?:php\d?|phtml|txt|jpg|gif|png|asp|aspx|jsp|pl|cgi|sh|inc)\b|(?=[?#]|$))/,
      'web shell URL',
    ),
    r(931130, 'critical', 1, 'text', /^\s*\\\\[\w.-]+(?:@\d+)?\\[\w$.-]+/, 'UNC path to a remote share'),
    r(
      931140,
      'critical',
      1,
      'text',
      /data:(?:[\w/+.-]*)?(?:;charset=[\w-]+)?;base64,\s*(?:pd9w|pd89|pd9|pgh0bww|phn2zy|phnjcmlwd)/,
      'data: URI carrying inline code',
    ),
    r(
      931150,
      'warning',
      1,
      'text',
      new RegExp(`${URL_START}[^\\s?#]+\\.(?:txt|inc|php\\d?|phtml|pl|cgi|sh|py|jsp|asp|aspx)(?:\\?\\S*)?$`),
      'URL to a script file',
      args,
    ),
    r(
      931160,
      'warning',
      1,
      'text',
      /\/\/(?:[\w-]+\.)*(?:pastebin\.com\/raw|raw\.githubusercontent\.com|gist\.githubusercontent\.com|transfer\.sh|ngrok(?:-free)?\.(?:io|app)|trycloudflare\.com|evil|attacker|hacker|malicious)[\w.-]*/,
      'host known for serving payloads',
    ),
    r(
      931165,
      'critical',
      1,
      'text',
      new RegExp(
        `${URL_START}(?:[\\w-]+\\.)*(?:pastebin\\.com\\/raw|raw\\.githubusercontent\\.com|gist\\.githubusercontent\\.com|hastebin\\.com\\/raw|paste\\.ee\\/r|transfer\\.sh|ngrok(?:-free)?\\.(?:io|app)|trycloudflare\\.com)\\/`,
      ),
      'URL argument to raw code on a paste or tunnel host',
      args,
    ),
    r(931170, 'warning', 2, 'text', new RegExp(`${URL_START}[\\w.-]+`), 'URL as an argument', args),
  ],
};
