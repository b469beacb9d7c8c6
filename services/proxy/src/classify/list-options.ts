import { readFieldSelectorName } from './field-selector.js';
import { forEachQueryPair } from './go-url.js';
import { isGoInt64 } from './go-int64.js';
import { isValidLabelSelector } from './label-selector.js';

/** What the API server reads from the query of a request without a name that it first took for a `get`. */
export interface ListReading {
  /** True for a watch, false for a list. */
  readonly watch: boolean;
  /** The name pinned by `fieldSelector=metadata.name=…` when it is a valid path segment, else "". */
  readonly name: string;
}

/** `strings.EqualFold(v, "false")`: ASCII case folding, plus U+017F (long s), which folds to `s`. */
function equalFoldFalse(v: string): boolean {
  if (v.length !== 5) return false;
  const expected = 'false';
  for (let i = 0; i < 5; i++) {
    const c = v.charCodeAt(i);
    const e = expected.charCodeAt(i);
    if (c !== e && c !== e - 0x20 && !(e === 0x73 && c === 0x17f)) return false;
  }
  return true;
}

/** `strings.ToLower(v) == "false"`: only ASCII letters lower-case to these. */
function lowerIsFalse(v: string): boolean {
  if (v.length !== 5) return false;
  const expected = 'false';
  for (let i = 0; i < 5; i++) {
    const c = v.charCodeAt(i);
    const e = expected.charCodeAt(i);
    if (c !== e && c !== e - 0x20) return false;
  }
  return true;
}

/** apimachinery's `path.IsValidPathSegmentName`: not `.` or `..`, and no `/` or `%`. */
function isValidPathSegmentName(name: string): boolean {
  return name !== '.' && name !== '..' && name.indexOf('/') < 0 && name.indexOf('%') < 0;
}

/**
 * Reads list/watch and the pinned name from a raw query the way RequestInfo does: the query is decoded into
 * `ListOptions`; when any option fails to decode (a bad selector or integer) every option is dropped except a
 * `watch` read by hand, so no name is taken.
 */
export function readListOptions(rawQuery: string): ListReading {
  if (rawQuery.length === 0) return { watch: false, name: '' };
  let watch: string | undefined;
  let fieldSelector: string | undefined;
  let labelSelector: string | undefined;
  let limit: string | undefined;
  let timeoutSeconds: string | undefined;
  forEachQueryPair(rawQuery, (key, value) => {
    switch (key) {
      case 'watch':
        watch ??= value;
        break;
      case 'fieldSelector':
        fieldSelector ??= value;
        break;
      case 'labelSelector':
        labelSelector ??= value;
        break;
      case 'limit':
        limit ??= value;
        break;
      case 'timeoutSeconds':
        timeoutSeconds ??= value;
        break;
      default:
        break;
    }
  });
  const field = fieldSelector === undefined ? undefined : readFieldSelectorName(fieldSelector);
  const decoded =
    (field === undefined || field.valid) &&
    (labelSelector === undefined || isValidLabelSelector(labelSelector)) &&
    (limit === undefined || isGoInt64(limit)) &&
    (timeoutSeconds === undefined || isGoInt64(timeoutSeconds));
  if (!decoded) return { watch: watch !== undefined && !(watch === '0' || lowerIsFalse(watch)), name: '' };
  const name = field?.name;
  return {
    watch: watch !== undefined && !(watch === '0' || equalFoldFalse(watch)),
    name: name !== undefined && isValidPathSegmentName(name) ? name : '',
  };
}
