import type { EventsLayoutOptions } from '@auditgate/shared';

/** Settings of the index templates the init job installs: the same knobs, under the same names, as the services. */
export interface TemplateSettings extends Omit<EventsLayoutOptions, 'indexPrefix'> {
  /** Prefix of the indexer's daily event indices (`INDEXER_INDEX_PREFIX`). */
  readonly eventsPrefix: string;
  /** Prefix of the detector's monthly alert indices (`DETECTOR_ALERTS_INDEX_PREFIX`). */
  readonly alertsPrefix: string;
}

/** The init job's validated configuration (see `load-config.ts` for the environment variables). */
export interface InitConfig {
  readonly logLevel: 'fatal' | 'error' | 'warn' | 'info' | 'debug' | 'trace' | 'silent';
  readonly opensearch: { readonly url: string };
  readonly templates: TemplateSettings;
  /** Where the saved objects go; undefined when `DASHBOARDS_URL` is unset (templates only). */
  readonly dashboards?: {
    readonly url: string;
    /** The NDJSON export to import (the image ships `services/query/dashboards/auditgate.ndjson` there). */
    readonly savedObjectsPath: string;
  };
  /** How long every step together may keep retrying before the job fails. */
  readonly timeoutMs: number;
}
