/** Scenarios as code: the format, validation, the player, expectations and reports. */
export { Scenario, Step, Expectation, METRICS, COMPARATORS, type ScenarioDoc } from './schema.ts';
export { parseScenario, loadScenarioFile } from './load.ts';
export { playScenario, type ScenarioReport, type StepRecord, type Progress, type PlayOptions } from './player.ts';
export { ScenarioSession, checkOrganism, type PlayingStatus, type ExpectationProgress } from './session.ts';
export { listScenarios, SCENARIOS_DIR } from './catalog.ts';
export { judge, compare, decidableAt, type Verdict, type Recorded } from './expect.ts';
export { junitXml, verdictLine, formatValue, formatExpected } from './report.ts';
export type { ScenarioPlan, PlannedExpectation, PlannedStep } from './model.ts';
export { CAPABILITIES } from './capabilities.ts';
export { htmlReport, svgChart, seriesOf, type HtmlReportInput, type Series } from './html-report.ts';
