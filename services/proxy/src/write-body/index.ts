/** Write bodies for the record: decoded as the API server decodes them, or summarized when too large to record. */
export {
  decodeWriteBody, DEFAULT_MAX_DEPTH, DEFAULT_MAX_YAML_BYTES,
  type DecodedWriteBody, type EmptyWriteBody, type ProtobufDecoder, type UndecodableReason, type UndecodableWriteBody,
  type WriteBodyLimits, type WriteBodyResult,
} from './decode-write-body.js';
export { writeBodyFormat, type WriteBodyFormat } from './body-format.js';
export { summarizeWrite, type WriteSummary } from './summarize-write.js';
export { SUMMARY_LIMITS } from './summary-budget.js';
