/** Reads a service's Prometheus metrics (its ops port's `/metrics`), for the evidence that a fault struck. */

/** The sum of every sample of `name` (any labels) whose labels include each of `labels` (`key="value"`). */
export function metricSum(text: string, name: string, labels: readonly string[] = []): number {
  let sum = 0;
  for (const line of text.split('\n')) {
    if (!line.startsWith(name) || (line[name.length] !== '{' && line[name.length] !== ' ')) continue;
    const brace = line[name.length] === '{' ? line.indexOf('}') : name.length - 1;
    const labelText = line.slice(name.length, brace + 1);
    if (!labels.every((l) => labelText.includes(l))) continue;
    const value = Number(line.slice(brace + 1).trim().split(' ')[0]);
    if (Number.isFinite(value)) sum += value;
  }
  return sum;
}

/** The metrics text of the service whose ops port is `opsPort` (empty when it does not answer). */
export async function readMetrics(opsPort: number): Promise<string> {
  return fetch(`http://127.0.0.1:${opsPort}/metrics`, { signal: AbortSignal.timeout(5000) }).then((r) => (r.ok ? r.text() : ''), () => '');
}
