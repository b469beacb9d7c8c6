import type { QueryIssuer } from '../auth/query-issuer.js';
import type { RoleBinding } from '../auth/roles.js';

export type { QueryIssuer, RoleBinding };

/** The query service's validated configuration (see `load-config.ts` for the environment variables). */
export interface QueryConfig {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly listen: { readonly host: string; readonly port: number; readonly opsPort: number };
  /** Address of this service as analysts reach it (alert links, report footers). */
  readonly publicUrl: string;
  readonly opensearch: { readonly url: string; readonly requestTimeoutMs: number };
  readonly indices: {
    /** Events alias / daily index prefix (`<events>-YYYY.MM.DD`). */
    readonly events: string;
    /** Alerts monthly index prefix (`<alerts>-YYYY.MM`). */
    readonly alerts: string;
    /** Self-audit monthly index prefix and alias (`<audit>-YYYY.MM`). */
    readonly audit: string;
    /** MCP events alias / daily index prefix (`<mcp>-YYYY.MM.DD`): one document per JSON-RPC message of the MCP endpoint. */
    readonly mcp: string;
  };
  readonly auth: {
    readonly issuers: QueryIssuer[];
    readonly rolesClaim: string;
    readonly bindings: RoleBinding[];
    /** How long the cluster's TokenReview answer (yes or no) for an analyst's service-account token is reused; 0 asks every time. */
    readonly tokenReviewCacheMs: number;
  };
  readonly limits: {
    readonly maxPageSize: number;
    readonly maxRangeDays: number;
    readonly maxExport: number;
    /** Exports streaming at once (each holds a point in time); more answer 429. */
    readonly maxConcurrentExports: number;
    /** Events a session view returns at most. */
    readonly maxSessionEvents: number;
    /** PIT keep-alive between two pages, e.g. `5m`. */
    readonly pitKeepAlive: string;
  };
  /** Aggregation of failed-authentication audit records (see `access-log/refusal-audit.ts`). */
  readonly refusalAudit: { readonly windowMs: number; readonly maxKeys: number };
  /** Key of the cursor HMAC; random per process when unset (cursors then die with the process). */
  readonly cursorKey?: string;
  /** Where `/verify` finds the tamper evidence and the keys that sign it. */
  readonly evidence: {
    /** Alias of the signed checkpoint indices (`<checkpoints>-YYYY.MM`). */
    readonly checkpointsIndex: string;
    /** JWKS files or URLs (a gateway's `/.well-known/jwks.json`) whose keys sign checkpoints; none: `/verify` answers 503. */
    readonly jwks: string[];
    /** Exchanges a `/verify` window may hold at most (they are all read into memory); more answer 413. */
    readonly maxEvents: number;
  };
  /** Folder of the analyst UI's static files. */
  readonly uiDir: string;
  readonly shutdownTimeoutMs: number;
}
