// Container HEALTHCHECK: GET /healthz on the service's ops port (liveness, not readiness: a proxy waiting for
// Kafka is alive). The port is read from the same variable the service's config loader reads.
const OPS = {
  proxy: ['PROXY_OPS_PORT', 9464],
  indexer: ['INDEXER_OPS_PORT', 9465],
  detector: ['DETECTOR_OPS_PORT', 9466],
  query: ['QUERY_OPS_PORT', 9467],
};
const entry = OPS[process.env.AUDITGATE_SERVICE ?? ''];
if (entry === undefined) {
  console.error(`healthcheck: unknown AUDITGATE_SERVICE "${process.env.AUDITGATE_SERVICE}"`);
  process.exit(1);
}
const port = process.env[entry[0]] || String(entry[1]);
try {
  const response = await fetch(`http://127.0.0.1:${port}/healthz`, { signal: AbortSignal.timeout(2500) });
  process.exit(response.ok ? 0 : 1);
} catch (error) {
  console.error(`healthcheck: ${error.message}`);
  process.exit(1);
}
