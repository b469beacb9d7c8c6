export { GENESIS_HASH, HASH_PATTERN, canonicalJson, canonicalDigest, toIJson, chainHash, linkedEventText, sha256Hex, type LinkedEventText } from './chain-hash.js';
export { HashChain, type ChainLink, type ChainOrigin } from './hash-chain.js';
export { streamId, instanceOfStream } from './stream-id.js';
export { CHECKPOINT_TYP, checkpointProblems, parseCheckpointJws, type Checkpoint, type ParsedCheckpoint } from './checkpoint.js';
export { ELIDABLE_FIELDS, stageRecord, rebuildStageEvent, type StageRecord, type RebuiltEvent } from './stage-record.js';
