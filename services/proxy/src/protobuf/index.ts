export { decodeKubernetesProtobuf, KUBERNETES_PROTOBUF_MAGIC, type DecodedProtobufObject, type DecodeLimits } from './decode-kubernetes-protobuf.js';
