// petri bench scaling: HPA vs predictive vs queue-lag on a per-minute trace, in the fast-forward
// simulator. Prints SLO-violation minutes, replica-minutes and scale events per policy, each as a
// ratio against the HPA measured in the same run, plus simulator speed and forecaster cost.
//
//   node --import tsx bench/scaling.ts [--trace FILE] [--from MIN] [--to MIN] [--peak-rps N]
//        [--slo MS] [--seed N] [--policies hpa,predictive,queue-lag] [--organism FILE --cell NAME]
//        [--model FILE] [--json FILE]
//
// Exit code 0 when the run completed (the verdict line says whether the bar was met), 2 on bad input.
import { errorMessage, isNamedError } from '../engine/errors.ts';
import { benchScaling } from '../engine/scaling/index.ts';
import { scalingBenchOptions } from '../engine/api/scaling-cmd.ts';

try {
  await benchScaling(scalingBenchOptions(process.argv.slice(2)));
} catch (err) {
  console.error(`petri bench scaling: ${errorMessage(err)}`);
  process.exitCode = isNamedError(err, 'ValidationError') || isNamedError(err, 'UsageError') ? 2 : 1;
}
