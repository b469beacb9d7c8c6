import { it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer, type IncomingMessage } from 'node:http';
import { once } from 'node:events';
import { readStackEnv, uniqueName, waitFor } from '@auditgate/shared/testing';

const stack = readStackEnv(process.env);

async function readJson(req: IncomingMessage): Promise<unknown> {
  const chunks: Buffer[] = [];
  for await (const chunk of req) chunks.push(chunk as Buffer);
  return JSON.parse(Buffer.concat(chunks).toString('utf8'));
}

interface WebhookPayload { status: string; alerts: Array<{ status: string; labels: Record<string, string> }> }

it('Alertmanager delivers a posted alert to the local webhook receiver, then its resolution', async () => {
  const hook = new URL(stack.alertmanagerWebhookUrl);
  const received: WebhookPayload[] = [];
  const server = createServer((req, res) => {
    void readJson(req).then((body) => {
      if (req.url === hook.pathname) received.push(body as WebhookPayload);
      res.writeHead(200).end();
    });
  });
  server.listen(Number(hook.port), hook.hostname);
  await once(server, 'listening');
  try {
    const alertname = uniqueName('AuditgateStackTest');
    const post = async (endsAt?: string): Promise<void> => {
      const alert = {
        labels: { alertname, severity: 'high', actor: 'system:serviceaccount:test:agent' },
        annotations: { summary: 'stack test alert' },
        startsAt: new Date(Date.now() - 1000).toISOString(),
        ...(endsAt === undefined ? {} : { endsAt }),
        generatorURL: 'http://127.0.0.1/auditgate',
      };
      const response = await fetch(`${stack.alertmanagerUrl}/api/v2/alerts`, {
        method: 'POST', headers: { 'content-type': 'application/json' }, body: JSON.stringify([alert]),
      });
      assert.equal(response.status, 200);
    };
    const mine = (status: string) => received.find((p) => p.alerts.some((a) => a.labels['alertname'] === alertname && a.status === status));
    await post();
    const firing = await waitFor('firing alert at the webhook', async () => mine('firing'), 30_000);
    assert.equal(firing.alerts[0]?.labels['severity'], 'high');
    await post(new Date().toISOString());
    await waitFor('resolved alert at the webhook', async () => mine('resolved'), 30_000);
  } finally {
    server.close();
  }
});
