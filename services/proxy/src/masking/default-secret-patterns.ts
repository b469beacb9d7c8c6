import type { SecretPattern } from './masking-types.js';

/** The built-in patterns: AWS keys, GitHub and Slack tokens, PEM private keys, JWTs, and secret-looking key names. */
export function defaultSecretPatterns(): SecretPattern[] {
  return [
    { name: 'aws-secret-key-name', appliesTo: 'key', regex: /aws_?secret_?access_?key|aws_?session_?token/i },
    {
      name: 'secret-key-name',
      appliesTo: 'key',
      regex: /passw(?:or)?d|secret|token|api[-_]?key|private[-_]?key|credential/i,
    },
    { name: 'aws-access-key-id', appliesTo: 'value', regex: /\b(?:AKIA|ASIA|ABIA|ACCA|A3T[A-Z0-9])[A-Z0-9]{16}\b/g },
    {
      name: 'github-token',
      appliesTo: 'value',
      regex: /\b(?:gh[pousr]_[A-Za-z0-9]{36,255}|github_pat_[A-Za-z0-9_]{22,255})/g,
    },
    { name: 'slack-token', appliesTo: 'value', regex: /\bxox[bpars]-[A-Za-z0-9-]{10,}/g },
    {
      name: 'private-key-pem',
      appliesTo: 'value',
      // An unterminated block is masked to the end of the value.
      regex: /-----BEGIN[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----[\s\S]*?(?:-----END[ A-Z0-9]*PRIVATE KEY(?: BLOCK)?-----|$)/g,
    },
    { name: 'jwt', appliesTo: 'value', regex: /\beyJ[A-Za-z0-9_-]+\.eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/g },
    {
      name: 'secret-assignment',
      appliesTo: 'value',
      // `password=…`, `"token": "…"`, `--api-key=…` inside files, URLs and args; the marker's `*` stops re-masking.
      regex: /(?:passw(?:or)?d|secret|token|api[-_]?key)[\w.-]*["']?\s*[:=]\s*["']?(?<secret>[^\s"'`,;&*<>]+)/gi,
    },
  ];
}
