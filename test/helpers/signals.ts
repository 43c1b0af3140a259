/** Test helper: an organism with one signal of every type, a secret and a ttl. */

/** One cell (`echo`, two replicas) and signals of every type. */
export const SIGNALS_ORGANISM = `apiVersion: petri/v1
kind: Organism
metadata: { name: sig }
cells:
  - name: echo
    replicas: 2
    operations:
      - { name: hello, latency: { p50: 2ms, p99: 4ms } }
pathways:
  - { route: GET /hello, to: echo.hello }
signals:
  - { key: checkout.newFlow, type: flag, value: false, rollout: 0.1, targeting: [{ attribute: plan, in: [gold], value: true }] }
  - { key: db.password, type: string, value: initial-pass-0001, secret: true }
  - { key: api.mode, type: enum, value: fast, values: [fast, safe] }
  - { key: cache.ttl, type: duration, value: 250ms }
  - { key: promo.banner, type: bool, value: false, ttl: 400ms }
  - { key: greeting, type: string, value: hi }
`;
