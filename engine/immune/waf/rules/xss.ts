/**
 * Cross-site scripting (CRS 941xxx). Rules read the decoded `text` view (URL layers, HTML
 * entities and JS escapes undone, fullwidth folded) and the `compact` view for URI schemes split
 * by whitespace or control characters. Markup alone is not an attack: `<b>` or a bare `<iframe>`
 * in a search box passes; what blocks is markup or an attribute that runs script.
 */
/* eslint-disable no-control-regex -- a WAF matches NUL and control characters on purpose */
import type { RuleGroup } from '../types.ts';
import { ruleMaker, rx } from './make.ts';

const r = ruleMaker('xss');

/** DOM event handler attributes (a representative list; 941125 catches the rest at PL2). */
const EVENTS =
  'abort|activate|afterprint|afterscriptexecute|animationcancel|animationend|animationiteration|animationstart|auxclick|beforeactivate|beforecopy|beforecut|beforeinput|beforepaste|beforeprint|beforescriptexecute|beforetoggle|beforeunload|begin|blur|bounce|canplay|canplaythrough|change|click|close|contextmenu|copy|cuechange|cut|dblclick|drag|dragend|dragenter|dragexit|dragleave|dragover|dragstart|drop|durationchange|end|ended|error|finish|focus|focusin|focusout|formdata|fullscreenchange|hashchange|input|invalid|keydown|keypress|keyup|load|loadeddata|loadedmetadata|loadend|loadstart|message|mousedown|mouseenter|mouseleave|mousemove|mouseout|mouseover|mouseup|mousewheel|offline|online|pagehide|pageshow|paste|pause|play|playing|pointercancel|pointerdown|pointerenter|pointerleave|pointermove|pointerout|pointerover|pointerrawupdate|pointerup|popstate|progress|propertychange|ratechange|readystatechange|repeat|reset|resize|scroll|scrollend|search|securitypolicyviolation|seeked|seeking|select|selectionchange|selectstart|show|start|stalled|storage|submit|suspend|timeupdate|toggle|touchend|touchmove|touchstart|transitioncancel|transitionend|transitionrun|transitionstart|unhandledrejection|unload|volumechange|waiting|webkitanimationend|webkitanimationiteration|webkitanimationstart|webkittransitionend|wheel';

/** Tags that can run or load script once they carry attributes (NoScript's list, as in CRS). */
const TAGS =
  'script|form|style|svg|marquee|link|object|embed|applet|param|iframe|frame|frameset|base|body|meta|img|image|video|audio|bindings|set|animate|animatemotion|animatetransform|math|isindex|xml|template|details|input|button|keygen|textarea|select|source|track|portal|xss';

/** Functions an injected script calls to prove it ran, or to reach the page. */
const SINKS =
  'alert|prompt|confirm|eval|fetch|settimeout|setinterval|import\\s*\\(|document\\.|window\\.|location|top\\[|self\\[';

/** XSS rules. */
export const xss: RuleGroup = {
  cls: 'xss',
  gate: /[<>"'`=(]|script|\bon[a-z]{3,}|data:|expression|\+ad[w4]-/,
  rules: [
    r(941100, 'critical', 1, 'text', /<\s*\/?\s*script(?:[\s>/]|$)/, '<script> tag'),
    r(941110, 'critical', 1, 'text', /<[a-z!][^>]*?[\s"'/`;\x00]on[a-z]{3,30}\s*=/, 'event handler in a tag'),
    r(941120, 'critical', 1, 'text', rx(`(?:^|[\\s"'\`;/0-9=(,])on(?:{E})\\s*=`, { E: EVENTS }), 'event handler attribute'),
    r(941125, 'critical', 2, 'text', /["'`/]\s*on[a-z]{3,30}\s*=\s*["'`]?[\w(]/, 'attribute that looks like an event handler'),
    r(
      941130,
      'critical',
      1,
      'compact',
      /(?:javascript|vbscript|livescript|jscript|mocha):(?:.*?[(=`\\[\]]|.*?(?:alert|prompt|confirm|eval|document|window|location|top|self|this|fetch|import))/,
      'script URI scheme',
    ),
    r(
      941140,
      'critical',
      1,
      'compact',
      /data:(?:text\/(?:html|javascript|xml|xsl)|image\/svg\+xml|application\/(?:x-)?(?:javascript|ecmascript|xhtml\+xml|xml))[;,]/,
      'data: URI carrying markup or script',
    ),
    r(941150, 'critical', 1, 'text', rx(`<\\s*(?:{T})[^\\w>]`, { T: TAGS }), 'script-capable tag with attributes'),
    r(
      941155,
      'critical',
      1,
      'text',
      /<[a-z][\w:-]*[\s/][^>]*?\b(?:src|style|background|formaction|lowsrc|dynsrc|ping|srcdoc|xlink:href|action|poster|data)\s*=/,
      'tag with a loading or styling attribute',
    ),
    r(
      941160,
      'critical',
      1,
      'text',
      /(?:style\s*=|[{;])\s*[\w-]*\s*:\s*expression\s*\(|\bexpression\s*\(\s*(?:alert|prompt|confirm|eval|document|window|this)|-moz-binding\s*:|behavior\s*:\s*url|@import\s*['"(]?\s*(?:url\s*\()?\s*['"]?\s*(?:javascript|data|https?:|\/\/)|style\s*=[^>]*?url\s*\(\s*['"]?\s*(?:javascript|vbscript|data)/,
      'script in CSS',
    ),
    r(
      941170,
      'critical',
      1,
      'text',
      /\bdocument\s*\.\s*(?:cookie|domain|write(?:ln)?\s*\(|body\s*\.\s*innerhtml)|\.(?:inner|outer)html\s*=|\bdocument\s*\[\s*['"`](?:cookie|domain|write)|\b(?:top|self|parent|window|globalthis|frames)\s*\[\s*['"`]|\bstring\s*\.\s*fromcharcode\s*\(|\batob\s*\(\s*['"`]|\bnew\s+image\s*\(\s*\)\s*\.\s*src\s*=|\bnavigator\s*\.\s*sendbeacon\s*\(/,
      'JavaScript that reaches cookies or writes the page',
    ),
    r(
      941175,
      'warning',
      1,
      'text',
      /\b(?:window|document|self|top)\s*\.\s*location\b|\blocation\s*\.\s*(?:href|hash|search|replace\s*\(|assign\s*\()|\bwindow\s*\.\s*(?:open|name)\b/,
      'JavaScript navigation',
    ),
    r(
      941180,
      'critical',
      1,
      'text',
      /\b(?:alert|prompt|confirm)\s*(?:\(|`)\s*(?:\d|document\b|window\b|origin\b|location\b|this\b|top\b|self\b|[`'"/]|\$\{)|\b(?:alert|prompt|confirm)\s*`/,
      'dialog call proving script execution',
    ),
    r(
      941185,
      'critical',
      1,
      'text',
      rx(`['"\`}][\\s)]*[;,)+\\-*/|&]{1,3}\\s*(?:{S})`, { S: SINKS }),
      'script after breaking out of a JavaScript string',
    ),
    r(
      941190,
      'critical',
      1,
      'text',
      /<!\[cdata\[|<!--[\s\S]*?(?:<\s*[a-z]|script)|<\?xml[\s\S]*?(?:stylesheet|<!entity)|<!entity|<!doctype[^>]*\[/,
      'markup hidden in comments, CDATA or DTD',
    ),
    r(
      941200,
      'warning',
      1,
      'text',
      /<\s*(?:iframe|frame|object|embed|applet|svg|math|meta|base|style|form|link|template|xss|isindex|marquee|img|video|audio|body)\b/,
      'tag able to load content',
    ),
    r(
      941210,
      'critical',
      1,
      'text',
      /\b(?:srcdoc|formaction|xlink:href|ev:event)\s*=|\battributename\s*=\s*['"]?(?:href|on\w+)|\bfrom\s*=\s*['"]?\s*javascript/,
      'attribute that carries script',
    ),
    r(941220, 'critical', 1, 'text', /\+ad[w4]-|\+aci-/, 'UTF-7 encoded markup'),
    r(941230, 'warning', 1, 'text', /['"]\s*>\s*<\s*[a-z/!]/, 'attribute breakout into new markup'),
    r(
      941240,
      'critical',
      1,
      'text',
      /(?:^|[;'"`}>)\s])(?:eval|settimeout|setinterval|function|constructor)\s*\(\s*['"`]?\s*(?:alert|prompt|confirm|atob|unescape|string\.fromcharcode|document|window|location)/,
      'string evaluated as script',
    ),
  ],
};
