/**
 * `petri export hpa`: each cell's scaling policy as the Kubernetes objects that would run it — an
 * autoscaling/v2 HorizontalPodAutoscaler for `hpa` and `predictive` (its reactive half), a KEDA
 * ScaledObject for `queue-lag`. Cells with `policy: none` export nothing.
 */
import { stringify } from 'yaml';
import type { CellSpec, OrganismSpec } from '../organism/index.ts';
import { defaultBehavior, type HpaBehavior } from './hpa.ts';

/** Options of {@link exportScaling}. */
export interface ExportOptions {
  /** Namespace written into every object (omitted when unset). */
  namespace?: string;
  /** Prometheus that scrapes Petri's `/metrics` (for the KEDA trigger). */
  prometheusUrl?: string;
}

type Obj = Record<string, unknown>;

function metadata(organism: string, cell: CellSpec, o: ExportOptions): Obj {
  return {
    name: cell.name,
    ...(o.namespace ? { namespace: o.namespace } : {}),
    labels: {
      'app.kubernetes.io/name': cell.name,
      'app.kubernetes.io/part-of': organism,
      'petri.dev/policy': cell.scaling.policy,
    },
  };
}

function behaviorYaml(b: HpaBehavior): Obj {
  const rules = (r: HpaBehavior['scaleUp']): Obj => ({
    stabilizationWindowSeconds: r.stabilizationWindowSeconds,
    selectPolicy: r.selectPolicy,
    policies: r.policies.map((p) => ({ type: p.type, value: p.value, periodSeconds: p.periodSeconds })),
  });
  return { scaleUp: rules(b.scaleUp), scaleDown: rules(b.scaleDown) };
}

/** The cell's HPA `behavior`, or undefined for the legacy path (Kubernetes then applies its flags). */
function behaviorOf(cell: CellSpec): Obj | undefined {
  return cell.scaling.behavior === 'default'
    ? behaviorYaml(defaultBehavior(cell.scaling.scaleDownStabilizationMs / 1000))
    : undefined;
}

/** An autoscaling/v2 HPA on CPU utilization (Petri's utilization is busy slots, the CPU analogue). */
export function hpaObject(organism: string, cell: CellSpec, o: ExportOptions = {}): Obj {
  const s = cell.scaling;
  const behavior = behaviorOf(cell);
  const meta = metadata(organism, cell, o);
  if (s.policy === 'predictive')
    meta['annotations'] = {
      'petri.dev/predictive':
        'The forecast floor (scale-out ahead of predicted load) has no HPA field: this HPA is the reactive half. ' +
        'Raise minReplicas from the forecast (a CronJob or a predictive operator) to get the rest.',
    };
  return {
    apiVersion: 'autoscaling/v2',
    kind: 'HorizontalPodAutoscaler',
    metadata: meta,
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: cell.name },
      minReplicas: s.min,
      maxReplicas: s.max,
      metrics: [
        {
          type: 'Resource',
          resource: { name: 'cpu', target: { type: 'Utilization', averageUtilization: Math.round(s.targetUtilization * 100) } },
        },
      ],
      ...(behavior ? { behavior } : {}),
    },
  };
}

/**
 * A KEDA ScaledObject: a Prometheus trigger on the cell's pending requests (in flight + waiting,
 * from Petri's `/metrics`) with `threshold` = the per-replica target, which KEDA turns into an HPA
 * external metric of type AverageValue — the same arithmetic as Petri's queue-lag policy.
 */
export function kedaObject(organism: string, cell: CellSpec, o: ExportOptions = {}): Obj {
  const s = cell.scaling;
  const c = `cell="${cell.name}"`;
  const query = `sum(petri_cell_utilization_ratio{${c}} * petri_cell_ready_replicas{${c}}) * ${cell.concurrency} + sum(petri_cell_queue_length{${c}})`;
  const behavior = behaviorOf(cell);
  return {
    apiVersion: 'keda.sh/v1alpha1',
    kind: 'ScaledObject',
    metadata: metadata(organism, cell, o),
    spec: {
      scaleTargetRef: { apiVersion: 'apps/v1', kind: 'Deployment', name: cell.name },
      pollingInterval: 15,
      cooldownPeriod: 300,
      minReplicaCount: s.min,
      maxReplicaCount: s.max,
      ...(behavior ? { advanced: { horizontalPodAutoscalerConfig: { behavior } } } : {}),
      triggers: [
        {
          type: 'prometheus',
          metadata: {
            serverAddress: o.prometheusUrl ?? 'http://prometheus.monitoring.svc:9090',
            query,
            threshold: String(s.targetQueue),
          },
        },
      ],
    },
  };
}

/** The Kubernetes objects for every cell that scales, in manifest order. */
export function scalingObjects(spec: OrganismSpec, o: ExportOptions = {}): Obj[] {
  const out: Obj[] = [];
  for (const cell of spec.cells) {
    switch (cell.scaling.policy) {
      case 'none':
        break;
      case 'hpa':
      case 'predictive':
        out.push(hpaObject(spec.name, cell, o));
        break;
      case 'queue-lag':
        out.push(kedaObject(spec.name, cell, o));
        break;
    }
  }
  return out;
}

/** Multi-document YAML of {@link scalingObjects}, with a header saying where it came from. */
export function exportScaling(spec: OrganismSpec, o: ExportOptions = {}): string {
  const docs = scalingObjects(spec, o).map((obj) => stringify(obj, { lineWidth: 0 }));
  return `# Generated by petri export hpa from organism "${spec.name}".\n${docs.map((d) => `---\n${d}`).join('')}`;
}
