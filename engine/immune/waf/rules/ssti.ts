/**
 * Server-side template injection (CRS 934xxx in v4; here 937xxx). Template syntax is not an
 * attack by itself (`Hello {{name}}`, `{% if user %}`): what blocks is an arithmetic probe
 * (`{{7*7}}`, `${7*7}`, `<%= 7*7 %>`) or an expression that walks to the runtime (`__class__`,
 * `constructor`, `freemarker.template.utility.Execute`, `T(java.lang.Runtime)`).
 */
import type { RuleGroup } from '../types.ts';
import { ruleMaker } from './make.ts';

const r = ruleMaker('ssti');

const NUM_OP = `\\s*\\d+\\s*[*+\\-/%]\\s*['"]?\\d+['"]?\\s*`;

/** Template injection rules. */
export const ssti: RuleGroup = {
  cls: 'ssti',
  gate: /[{}%$#@<[]|__|\w\?(?:new|api|eval)\b/,
  rules: [
    r(
      937100,
      'critical',
      1,
      'text',
      new RegExp(
        [
          `\\{\\{=?${NUM_OP}\\}\\}`,
          `[$#*@~]\\{\\{?${NUM_OP}\\}`,
          `@\\(${NUM_OP}\\)`,
          `<%=?${NUM_OP}%>`,
          `\\[\\[${NUM_OP}\\]\\]`,
          `\\{#${NUM_OP}#?\\}`,
          `\\{${NUM_OP}\\}`,
          `\\$\\{\\{<%\\[%'"\\}\\}%`,
        ].join('|'),
      ),
      'template arithmetic probe',
    ),
    r(
      937110,
      'critical',
      1,
      'text',
      /\{\{[^}]*?(?:__\w+__|\bconfig\b|\bself\b|\brequest\b|\blipsum\b|\bcycler\b|\bjoiner\b|\bnamespace\b|\burl_for\b|\bget_flashed_messages\b|\bhandler\b|\bos\.|popen|\bsystem\s*\(|_self\b|\benv\b|\battr\s*\(|\|\s*(?:attr|map|filter|reduce|sort)\s*\(|\[\s*['"]\w+['"]\s*\]|\bconstructor\b|\bprocess\b|\brequire\b|\bglobal\b|\bthis\b|\bexec\b|\beval\b|\bclass\b|subclasses|getclass|forname)/,
      'template expression reaching the runtime',
    ),
    r(
      937120,
      'critical',
      1,
      'text',
      /\{%[^%]*?(?:\bimport\b|__\w+__|popen|\bos\.|\bsystem\b|subprocess|\beval\b|\bexec\b|\bconfig\b|\brequest\b|\bself\b|\bdebug\b|load_module|\blipsum\b|for\s+\w+\s+in\s+\(\s*\)|include\s+['"]\/|extends\s+['"]\/)/,
      'template statement reaching the runtime',
    ),
    r(
      937130,
      'critical',
      1,
      'text',
      /<%[=-]?[^%]*?(?:\bsystem\b|\bexec\b|\beval\b|`|\bspawn\b|popen|\bio\.|\bfile\.|\bdir\.|\bprocess\b|\bruntime\b|\brequest\b|response\.write|%x|\bkernel\b|\brequire\b|\bopen\s*\(|\bglobal\b)/,
      'ERB / EJS / JSP scriptlet',
    ),
    r(
      937140,
      'critical',
      1,
      'text',
      /<#(?:assign|import|include|setting|list|if)\b[^>]*(?:execute|\?new|objectconstructor|jythonruntime|freemarker|\?api|\?eval|classloader)|freemarker\.template\.utility|\w\?new\s*\(\s*\)|\w\?api\.|\w\?eval\b|\$\{[^}]*\?(?:new|api|eval|interpret)\b/,
      'FreeMarker built-in',
    ),
    r(
      937150,
      'critical',
      1,
      'text',
      /#set\s*\(\s*\$|#foreach\s*\(|\$class\.(?:inspect|type|forname)|\$\{?class\b|#evaluate\s*\(|\$\w+\.getclass\(\)|\$\{?\w+\.class\.forname/,
      'Velocity directive',
    ),
    r(
      937160,
      'critical',
      1,
      'text',
      /\{\/?php\}|\{system\s*\(|\{\$smarty\.|\{self::|\{literal\}|\{if\s+(?:system|phpinfo|exec|passthru)|\{fetch\s+file|\{include\s+file\s*=\s*['"]?(?:\/|php:)/,
      'Smarty tag',
    ),
    r(
      937170,
      'critical',
      1,
      'text',
      /__\$\{[^}]*\}__|\[\[\s*\$\{|\[\(\s*\$\{|\*\{\s*t\s*\(|\$\{\s*t\s*\(|@\{\s*\$\{/,
      'Thymeleaf / Spring expression',
    ),
    r(
      937180,
      'critical',
      1,
      'text',
      /\{\{#with\s|\{\{#each\s+(?:conslist|this\.constructor)|\{\{lookup\s|string\.sub\s*"constructor"|#\{[^}]*(?:function|require|process|global|this\.constructor)|@\{[^}]*system\.|\bsystem\.diagnostics\.process|\bsystem\.io\.file/,
      'Handlebars / Pug / Razor payload',
    ),
    r(
      937190,
      'critical',
      1,
      'text',
      /\$\{[^}]*?(?:\bself\.|\bos\.|__import__|\bimport\s|\brequest\.|\bconfig\b|\.popen|\.system\s*\(|getruntime|\.exec\s*\(|\.class\b|\bnew\s)/,
      'expression reaching the runtime',
    ),
  ],
};
