{{/* Labels on every object: the kustomize base's part-of label plus Helm's own. Selectors use the name label only. */}}
{{- define "auditgate.labels" -}}
app.kubernetes.io/part-of: auditgate
app.kubernetes.io/managed-by: {{ .Release.Service }}
app.kubernetes.io/instance: {{ .Release.Name }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" }}
{{- end -}}

{{/* The image of one service: <repository>/<service>:<tag>. */}}
{{- define "auditgate.image" -}}
{{ printf "%s/%s:%s" .root.Values.image.repository .service .root.Values.image.tag }}
{{- end -}}

{{/* Pod-level securityContext: the restricted Pod Security Standard (not a value: least privilege is not optional). */}}
{{- define "auditgate.podSecurityContext" -}}
securityContext:
  runAsNonRoot: true
  runAsUser: 1000
  runAsGroup: 1000
  fsGroup: 1000
  seccompProfile: { type: RuntimeDefault }
{{- end -}}

{{/* Container-level securityContext. */}}
{{- define "auditgate.containerSecurityContext" -}}
securityContext:
  allowPrivilegeEscalation: false
  readOnlyRootFilesystem: true
  capabilities: { drop: [ALL] }
{{- end -}}

{{/* Startup, liveness and readiness probes on the ops port. */}}
{{- define "auditgate.probes" -}}
startupProbe:
  httpGet: { path: /healthz, port: ops }
  periodSeconds: 2
  failureThreshold: 30
livenessProbe:
  httpGet: { path: /healthz, port: ops }
  periodSeconds: 10
  failureThreshold: 3
readinessProbe:
  httpGet: { path: /readyz, port: ops }
  periodSeconds: 5
  failureThreshold: 2
{{- end -}}

{{/* Restarts the pods when a ConfigMap they read changes (kustomize does it with hashed ConfigMap names). */}}
{{- define "auditgate.checksum" -}}
checksum/settings: {{ include (print .Template.BasePath "/configmaps.yaml") . | sha256sum }}
{{- end -}}

{{/* The gateway policy: the value, or the example policy shipped in files/. */}}
{{- define "auditgate.policy" -}}
{{- if .Values.proxy.policy }}{{ .Values.proxy.policy }}{{ else }}{{ .Files.Get "files/policy.yaml" }}{{ end -}}
{{- end -}}

{{/* Validates the upstream settings once. */}}
{{- define "auditgate.validate" -}}
{{- $mode := .Values.upstream.mode -}}
{{- if not (has $mode (list "in-cluster" "eks")) -}}
{{- fail (printf "upstream.mode must be in-cluster or eks, got %q" $mode) -}}
{{- end -}}
{{- if eq $mode "eks" -}}
{{- range $k := list "clusterName" "region" "roleArn" "server" -}}
{{- if not (index $.Values.upstream.eks $k) -}}
{{- fail (printf "upstream.eks.%s is required when upstream.mode is eks" $k) -}}
{{- end -}}
{{- end -}}
{{- end -}}
{{- range $r := .Values.indexer.kube.resources -}}
{{- if regexMatch "(^|/)secrets$" $r -}}
{{- fail "indexer.kube.resources must not list secrets: RBAC cannot limit a read to metadata, so the indexer could read every Secret value" -}}
{{- end -}}
{{- end -}}
{{- end -}}
