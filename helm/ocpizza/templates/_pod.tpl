{{/* Pieces of every pod spec: security, probes, annotations, scheduling, volumes. */}}

{{/* Pod-level security context (same for every pod). */}}
{{- define "ocpizza.podSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
fsGroup: {{ .Values.podSecurity.fsGroup }}
fsGroupChangePolicy: {{ .Values.podSecurity.fsGroupChangePolicy }}
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* Container-level security context: read-only root, no privilege escalation, no capabilities. */}}
{{- define "ocpizza.containerSecurityContext" -}}
runAsNonRoot: true
runAsUser: {{ .Values.podSecurity.runAsUser }}
runAsGroup: {{ .Values.podSecurity.runAsGroup }}
readOnlyRootFilesystem: true
allowPrivilegeEscalation: false
privileged: false
capabilities:
  drop:
    - ALL
seccompProfile:
  type: RuntimeDefault
{{- end }}

{{/* An HTTP probe on the `http` port. Call with (dict "path" "/healthz" "timing" .Values.app.probes.liveness). */}}
{{- define "ocpizza.probe" -}}
httpGet:
  path: {{ .path }}
  port: http
{{- toYaml .timing | nindent 0 }}
{{- end }}

{{/*
Pod annotations: checksums of the configuration (pods roll when it changes; an existingSecret is
yours to roll), optional Prometheus scrape hints, then the component's own.
Call with (dict "ctx" $ "component" "app" "port" 8080).
*/}}
{{- define "ocpizza.podAnnotations" -}}
{{- $ctx := .ctx -}}
checksum/config: {{ include "ocpizza.configData" $ctx | sha256sum }}
{{- if $ctx.Values.secrets.existingSecret }}
checksum/secret: {{ printf "existing:%s" $ctx.Values.secrets.existingSecret | sha256sum }}
{{- else }}
checksum/secret: {{ include "ocpizza.secretData" $ctx | sha256sum }}
{{- end }}
{{- if and .port $ctx.Values.metrics.scrapeAnnotations }}
prometheus.io/scrape: "true"
prometheus.io/port: {{ .port | quote }}
prometheus.io/path: /metrics
{{- end }}
{{- with (get $ctx.Values .component).podAnnotations }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Pod labels: selector labels, common labels, the component's own. */}}
{{- define "ocpizza.podLabels" -}}
{{ include "ocpizza.labels" . }}
{{- with (get .ctx.Values .component).podLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/*
Does this component mount the backups and exports volume as a ReadWriteOnce claim? Then it
should land on the node of the other pods that mount it. Returns "true" or "".
*/}}
{{- define "ocpizza.colocate" -}}
{{- $p := .ctx.Values.persistence -}}
{{- $mounts := or (has .component (list "worker" "migrate")) (and (eq .component "admin") .ctx.Values.admin.persistence) -}}
{{- if and $mounts $p.enabled $p.colocate (has "ReadWriteOnce" $p.accessModes) -}}true{{- end -}}
{{- end }}

{{/* Scheduling fields of a pod spec. Call with (dict "ctx" $ "component" "worker"). */}}
{{- define "ocpizza.scheduling" -}}
{{- $values := get .ctx.Values .component -}}
{{- with $values.priorityClassName }}
priorityClassName: {{ . }}
{{- end }}
{{- with $values.nodeSelector }}
nodeSelector:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- with $values.tolerations }}
tolerations:
  {{- toYaml . | nindent 2 }}
{{- end }}
{{- if $values.affinity }}
affinity:
  {{- toYaml $values.affinity | nindent 2 }}
{{- else if include "ocpizza.colocate" . }}
# The ReadWriteOnce data volume attaches to one node: prefer the node of its other users.
affinity:
  podAffinity:
    preferredDuringSchedulingIgnoredDuringExecution:
      - weight: 100
        podAffinityTerm:
          topologyKey: kubernetes.io/hostname
          labelSelector:
            matchLabels:
              app.kubernetes.io/name: {{ include "ocpizza.name" .ctx }}
              app.kubernetes.io/instance: {{ .ctx.Release.Name }}
            matchExpressions:
              - key: app.kubernetes.io/component
                operator: In
                values: [worker, admin]
{{- end }}
{{- end }}

{{/* Volumes: /tmp (the root filesystem is read-only) and, when asked, the data volume. */}}
{{- define "ocpizza.volumes" -}}
- name: tmp
  emptyDir:
    sizeLimit: 256Mi
{{- if .data }}
- name: data
  {{- if .claim }}
  persistentVolumeClaim:
    claimName: {{ include "ocpizza.claimName" .ctx }}
  {{- else }}
  emptyDir: {}
  {{- end }}
{{- end }}
{{- end }}

{{/* Where the data volume goes: the local copy of backups, and exports. */}}
{{- define "ocpizza.backupDir" -}}/var/lib/ocpizza/backups{{- end }}
{{- define "ocpizza.exportDir" -}}/var/lib/ocpizza/exports{{- end }}
