/** Scenario reports: the pass/fail lines, JSON, and JUnit XML for CI. */
import { hostname } from 'node:os';
import type { Verdict } from './expect.ts';
import type { ScenarioReport } from './player.ts';

const WORDS = { below: 'below', above: 'above', atLeast: 'at least', atMost: 'at most' } as const;

/** `812 ms` / `0.4 %`-free plain figures with their unit. */
export function formatValue(v: number | null, unit: string): string {
  if (v === null) return 'no data';
  const n = Number.isInteger(v) ? String(v) : v.toFixed(Math.abs(v) < 1 ? 4 : 1);
  return unit ? `${n} ${unit}` : n;
}

/** What the expectation demanded, in words. */
export function formatExpected(v: Verdict): string {
  if ('within' in v.expected) return `within ${formatValue(v.expected.within, 'ms')}`;
  return `${WORDS[v.expected.comparator]} ${formatValue(v.expected.value, v.unit)}`;
}

/** One line per expectation: `✔ name — observed 120 ms (expected below 300 ms): p99 of …`. */
export function verdictLine(v: Verdict): string {
  return `${v.passed ? '✔ PASS' : '✖ FAIL'}  ${v.name} — observed ${formatValue(v.observed, v.unit)} (expected ${formatExpected(v)}): ${v.detail}`;
}

function xml(text: string): string {
  return text.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;').replace(/'/g, '&apos;');
}

/** JUnit XML: one testsuite per scenario, one testcase per expectation, failed steps as errors. */
export function junitXml(report: ScenarioReport): string {
  const seconds = (report.scenario.durationMs / 1000).toFixed(3);
  const failures = report.expectations.filter((v) => !v.passed).length;
  const stepErrors = report.steps.filter((s) => !s.ok);
  const tests = report.expectations.length + stepErrors.length;
  const classname = `petri.scenario.${report.scenario.name}`;
  const cases = report.expectations.map((v) => {
    const head = `    <testcase name="${xml(v.name)}" classname="${xml(classname)}" time="0">`;
    if (v.passed)
      return `${head}\n      <system-out>${xml(`observed ${formatValue(v.observed, v.unit)} (expected ${formatExpected(v)}): ${v.detail}`)}</system-out>\n    </testcase>`;
    const message = `observed ${formatValue(v.observed, v.unit)}, expected ${formatExpected(v)}`;
    return `${head}\n      <failure message="${xml(message)}" type="expectation">${xml(`${message}: ${v.detail}`)}</failure>\n    </testcase>`;
  });
  for (const s of stepErrors)
    cases.push(
      `    <testcase name="${xml(`step ${s.index} at ${s.atMs} ms: ${s.label}`)}" classname="${xml(classname)}.steps" time="0">\n      <error message="${xml(s.error ?? 'failed')}" type="step"/>\n    </testcase>`,
    );
  if (report.aborted)
    cases.push(
      `    <testcase name="run completed" classname="${xml(classname)}" time="0">\n      <failure message="aborted early by an abortOnFail expectation" type="aborted"/>\n    </testcase>`,
    );
  const props = [`seed=${report.scenario.seed}`, `runId=${report.runId}`, `file=${report.scenario.file}`]
    .map((p) => p.split('='))
    .map(([k, v]) => `      <property name="${xml(k!)}" value="${xml(v!)}"/>`)
    .join('\n');
  const total = tests + (report.aborted ? 1 : 0);
  const failed = failures + (report.aborted ? 1 : 0);
  return `<?xml version="1.0" encoding="UTF-8"?>
<testsuites name="petri" tests="${total}" failures="${failed}" errors="${stepErrors.length}" time="${seconds}">
  <testsuite name="${xml(report.scenario.name)}" tests="${total}" failures="${failed}" errors="${stepErrors.length}" skipped="0" time="${seconds}" timestamp="${report.startedAt}" hostname="${xml(hostname())}">
    <properties>
${props}
    </properties>
${cases.join('\n')}
  </testsuite>
</testsuites>
`;
}
