import type { SettingsDoc } from '@auditgate/shared';
import { loadConfig as loadDetectorConfig } from '../../services/detector/src/config/load-config.js';
import { detectorSettingsDoc } from '../../services/detector/src/config/settings-doc.js';
import { loadConfig as loadInitConfig } from '../../services/init/src/config/load-config.js';
import { initSettingsDoc } from '../../services/init/src/config/settings-doc.js';
import { loadConfig as loadIndexerConfig } from '../../services/indexer/src/config/load-config.js';
import { indexerSettingsDoc } from '../../services/indexer/src/config/settings-doc.js';
import { loadConfig as loadProxyConfig } from '../../services/proxy/src/config/load-config.js';
import { proxySettingsDoc } from '../../services/proxy/src/config/settings-doc.js';
import { loadConfig as loadQueryConfig } from '../../services/query/src/config/load-config.js';
import { querySettingsDoc } from '../../services/query/src/config/settings-doc.js';
import type { ObservedLoadConfig } from './collect-settings.js';

/** A service whose settings table in the README is generated. */
export interface DocumentedService {
  /** The name in the README's markers (`<!-- config:<name>:begin -->`). */
  readonly name: string;
  readonly loadConfig: ObservedLoadConfig;
  readonly doc: SettingsDoc;
  /** Where `doc` is written, relative to the repository root. */
  readonly docPath: string;
  /** The service's source folder, searched for keys no probe reaches. */
  readonly sourceDir: string;
}

const service = (name: string, loadConfig: ObservedLoadConfig, doc: SettingsDoc): DocumentedService => ({
  name, loadConfig, doc, docPath: `services/${name}/src/config/settings-doc.ts`, sourceDir: `services/${name}/src`,
});

/** Every service with a config loader, in the README's order. */
export const DOCUMENTED_SERVICES: readonly DocumentedService[] = [
  service('proxy', loadProxyConfig, proxySettingsDoc),
  service('indexer', loadIndexerConfig, indexerSettingsDoc),
  service('detector', loadDetectorConfig, detectorSettingsDoc),
  service('query', loadQueryConfig, querySettingsDoc),
  service('init', loadInitConfig, initSettingsDoc),
];
