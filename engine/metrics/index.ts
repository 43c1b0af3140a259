/** Metrics: HDR-style histograms, the per-second collector, window aggregation, Prometheus. */
export { Histogram, bucketOf, bucketValue, type HistogramData } from './histogram.ts';
export { MetricsCollector, type CollectorOptions, type FrameSources, type RowSource } from './collector.ts';
export { prometheusText } from './prometheus.ts';
export { aggregate, gauge, type WindowAggregate, type WindowRow, type GaugeAgg } from './window.ts';
export { watchLoopDelay, loopDelaySeconds } from './loop-delay.ts';
