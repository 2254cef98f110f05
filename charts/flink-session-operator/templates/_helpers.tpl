{{/* Names and labels, defined once for every template. */}}

{{- define "fso.name" -}}
flink-session-operator
{{- end -}}

{{/* The release's full name: the release name when it already says flink-session-operator. */}}
{{- define "fso.fullname" -}}
{{- if contains (include "fso.name" .) .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name (include "fso.name" .) | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}

{{/* The service account of one component (watcher or worker): its value's name, or <fullname>-<component>. Called with (dict "root" $ "component" "watcher"). */}}
{{- define "fso.serviceAccountName" -}}
{{- $values := index .root.Values.serviceAccount .component -}}
{{- default (printf "%s-%s" (include "fso.fullname" .root) .component | trunc 63 | trimSuffix "-") $values.name -}}
{{- end -}}

{{/* What selects the release's pods (plus app.kubernetes.io/component for each Deployment). */}}
{{- define "fso.selectorLabels" -}}
app.kubernetes.io/name: {{ include "fso.name" . }}
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}

{{- define "fso.labels" -}}
{{ include "fso.selectorLabels" . }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
app.kubernetes.io/managed-by: {{ .Release.Service }}
helm.sh/chart: {{ printf "%s-%s" .Chart.Name .Chart.Version }}
{{- end -}}

{{/* The port of /metrics, /healthz and /readyz; the probes need it, so 0 (off) is refused. */}}
{{- define "fso.metricsPort" -}}
{{- $text := toString (default "" .Values.config.FSO_METRICS_PORT) -}}
{{- if kindIs "int64" .Values.config.FSO_METRICS_PORT }}{{ $text = toString .Values.config.FSO_METRICS_PORT }}{{ end -}}
{{- if kindIs "float64" .Values.config.FSO_METRICS_PORT }}{{ $text = toString .Values.config.FSO_METRICS_PORT }}{{ end -}}
{{- $port := int (default "9464" $text) -}}
{{- if le $port 0 -}}
{{- fail "config.FSO_METRICS_PORT must be a port: the Deployments' probes and the metrics Service use it" -}}
{{- end -}}
{{- $port -}}
{{- end -}}
