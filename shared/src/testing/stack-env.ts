import type { Env } from '../config/env-reader.js';

/** Addresses of the local real stack (test/stack), as tests see them. */
export interface StackEnv {
  readonly kafkaBrokers: string[];
  readonly opensearchUrl: string;
  readonly motoUrl: string;
  readonly alertmanagerUrl: string;
  /** Where the stack's Alertmanager delivers alerts; tests listen here. */
  readonly alertmanagerWebhookUrl: string;
  readonly kubeApiserverUrl: string;
  /** Folder with the control plane's certificates, tokens, kubeconfigs and audit log. */
  readonly kubeState: string;
  readonly kubectl: string;
}

/** Reads the stack's addresses from `env` (as exported by `stack.sh env`), with the stack's defaults. */
export function readStackEnv(env: Env): StackEnv {
  const home = env['HOME'] ?? '/root';
  const cache = env['AUDITGATE_CACHE'] ?? `${home}/.cache/auditgate`;
  const state = env['AUDITGATE_STATE'] ?? `${cache}/state`;
  return {
    kafkaBrokers: (env['KAFKA_BROKERS'] ?? '127.0.0.1:9092').split(','),
    opensearchUrl: env['OPENSEARCH_URL'] ?? 'http://127.0.0.1:9200',
    motoUrl: env['MOTO_URL'] ?? 'http://127.0.0.1:5000',
    alertmanagerUrl: env['ALERTMANAGER_URL'] ?? 'http://127.0.0.1:9093',
    alertmanagerWebhookUrl: env['ALERTMANAGER_WEBHOOK_URL'] ?? 'http://127.0.0.1:9099/alertmanager',
    kubeApiserverUrl: env['KUBE_APISERVER_URL'] ?? 'https://127.0.0.1:6443',
    kubeState: env['KUBE_STATE'] ?? `${state}/kube`,
    kubectl: env['KUBECTL'] ?? `${cache}/bin/kube-v1.36.3/kubectl`,
  };
}
