export { decodeKubernetesProtobuf, type DecodedProtobufObject, type DecodeLimits } from './decode-kubernetes-protobuf.js';
