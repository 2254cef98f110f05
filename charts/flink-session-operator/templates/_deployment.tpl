{{/*
One Deployment of the operator's program: "fso.deployment" (dict "root" $ "component" "watcher"|"worker").
Its pod template carries the ConfigMap's checksum, so `helm upgrade` with other settings rolls the pods.
*/}}
{{- define "fso.deployment" -}}
{{- $root := .root -}}
{{- $component := .component -}}
{{- $values := index $root.Values $component -}}
{{- $port := include "fso.metricsPort" $root -}}
apiVersion: apps/v1
kind: Deployment
metadata:
  name: {{ include "fso.fullname" $root }}-{{ $component }}
  namespace: {{ $root.Release.Namespace }}
  labels:
    {{- include "fso.labels" $root | nindent 4 }}
    app.kubernetes.io/component: {{ $component }}
spec:
  replicas: {{ $values.replicas }}
  selector:
    matchLabels:
      {{- include "fso.selectorLabels" $root | nindent 6 }}
      app.kubernetes.io/component: {{ $component }}
  template:
    metadata:
      labels:
        {{- include "fso.selectorLabels" $root | nindent 8 }}
        app.kubernetes.io/component: {{ $component }}
      annotations:
        checksum/config: {{ include (print $root.Template.BasePath "/configmap.yaml") $root | sha256sum }}
        prometheus.io/scrape: "true"
        prometheus.io/port: {{ $port | quote }}
        prometheus.io/path: /metrics
        {{- with $root.Values.podAnnotations }}
        {{- toYaml . | nindent 8 }}
        {{- end }}
    spec:
      serviceAccountName: {{ include "fso.serviceAccountName" (dict "root" $root "component" $component) }}
      {{- with $values.terminationGracePeriodSeconds }}
      terminationGracePeriodSeconds: {{ . }}
      {{- end }}
      {{- with $root.Values.imagePullSecrets }}
      imagePullSecrets:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      securityContext:
        runAsNonRoot: true
        runAsUser: 65532
        runAsGroup: 65532
        seccompProfile:
          type: RuntimeDefault
      containers:
        - name: {{ $component }}
          image: {{ printf "%s:%s" $root.Values.image.repository (default $root.Chart.AppVersion $root.Values.image.tag) }}
          imagePullPolicy: {{ $root.Values.image.pullPolicy }}
          args: [{{ $component }}]
          envFrom:
            - configMapRef:
                name: {{ include "fso.fullname" $root }}
            - secretRef:
                name: {{ $root.Values.temporal.apiKeySecret }}
                optional: true
          ports:
            - name: metrics
              containerPort: {{ $port }}
          livenessProbe:
            httpGet:
              path: /healthz
              port: metrics
            {{- /* The worker bundles the workflow code at start (a few seconds of CPU). */}}
            initialDelaySeconds: {{ if eq $component "worker" }}15{{ else }}5{{ end }}
            periodSeconds: 10
            failureThreshold: 3
          readinessProbe:
            httpGet:
              path: /readyz
              port: metrics
            periodSeconds: 5
            failureThreshold: 2
          resources:
            {{- toYaml $values.resources | nindent 12 }}
          securityContext:
            allowPrivilegeEscalation: false
            readOnlyRootFilesystem: true
            runAsNonRoot: true
            capabilities:
              drop: [ALL]
            seccompProfile:
              type: RuntimeDefault
          volumeMounts:
            - name: tmp
              mountPath: /tmp
            - name: temporal-tls
              mountPath: /etc/flink-session-operator/temporal-tls
              readOnly: true
      volumes:
        - name: tmp
          emptyDir:
            sizeLimit: {{ $values.tmpSizeLimit }}
        - name: temporal-tls
          secret:
            secretName: {{ $root.Values.temporal.tlsSecret }}
            optional: true
      {{- with $root.Values.nodeSelector }}
      nodeSelector:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.tolerations }}
      tolerations:
        {{- toYaml . | nindent 8 }}
      {{- end }}
      {{- with $root.Values.affinity }}
      affinity:
        {{- toYaml . | nindent 8 }}
      {{- end }}
{{- end -}}
