{{/*
Names, labels, the image, and the pieces every pod shares. Environment variables are in
_env.tpl, pod-level helpers (security, probes, scheduling, volumes) in _pod.tpl.
*/}}

{{/* The chart name, or nameOverride. */}}
{{- define "ocpizza.name" -}}
{{- default .Chart.Name .Values.nameOverride | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* <release>-<chart> (or just the release when it already holds the chart name), at most 63 characters. */}}
{{- define "ocpizza.fullname" -}}
{{- if .Values.fullnameOverride -}}
{{- .Values.fullnameOverride | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- $name := default .Chart.Name .Values.nameOverride -}}
{{- if contains $name .Release.Name -}}
{{- .Release.Name | trunc 63 | trimSuffix "-" -}}
{{- else -}}
{{- printf "%s-%s" .Release.Name $name | trunc 63 | trimSuffix "-" -}}
{{- end -}}
{{- end -}}
{{- end }}

{{/* Name of a component's resources: <fullname>-<component>. Call with (dict "ctx" $ "component" "app"). */}}
{{- define "ocpizza.componentName" -}}
{{- printf "%s-%s" (include "ocpizza.fullname" .ctx | trunc 55 | trimSuffix "-") .component -}}
{{- end }}

{{- define "ocpizza.chart" -}}
{{- printf "%s-%s" .Chart.Name .Chart.Version | replace "+" "_" | trunc 63 | trimSuffix "-" -}}
{{- end }}

{{/* Labels of every resource. Call with (dict "ctx" $ "component" "app"); component may be empty. */}}
{{- define "ocpizza.labels" -}}
helm.sh/chart: {{ include "ocpizza.chart" .ctx }}
{{ include "ocpizza.selectorLabels" . }}
app.kubernetes.io/version: {{ .ctx.Values.image.tag | default .ctx.Chart.AppVersion | toString | trunc 63 | trimSuffix "-" | quote }}
app.kubernetes.io/managed-by: {{ .ctx.Release.Service }}
app.kubernetes.io/part-of: ocpizza
{{- with .ctx.Values.commonLabels }}
{{ toYaml . }}
{{- end }}
{{- end }}

{{/* Labels that select a component's pods (never change them: selectors are immutable). */}}
{{- define "ocpizza.selectorLabels" -}}
app.kubernetes.io/name: {{ include "ocpizza.name" .ctx }}
app.kubernetes.io/instance: {{ .ctx.Release.Name }}
{{- if .component }}
app.kubernetes.io/component: {{ .component }}
{{- end }}
{{- end }}

{{/* The image reference: repository (required), then @digest or :tag (default appVersion). */}}
{{- define "ocpizza.image" -}}
{{- $repo := required "image.repository is required: the OC Pizza image, e.g. --set image.repository=ghcr.io/ocpizza/ocpizza" .Values.image.repository -}}
{{- if .Values.image.digest -}}
{{- printf "%s@%s" $repo .Values.image.digest -}}
{{- else -}}
{{- printf "%s:%s" $repo (.Values.image.tag | default .Chart.AppVersion | toString) -}}
{{- end -}}
{{- end }}

{{- define "ocpizza.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- default (include "ocpizza.fullname" .) .Values.serviceAccount.name -}}
{{- else -}}
{{- default "default" .Values.serviceAccount.name -}}
{{- end -}}
{{- end }}

{{/* The Secret the pods read: existingSecret, or the one the chart makes. */}}
{{- define "ocpizza.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "ocpizza.fullname" .) -}}
{{- end }}

{{/* The claim of the backups and exports volume. */}}
{{- define "ocpizza.claimName" -}}
{{- .Values.persistence.existingClaim | default (printf "%s-data" (include "ocpizza.fullname" .)) -}}
{{- end }}

{{/*
Checks across values that the schema cannot express; fails with a message saying what to set.
Included by configmap.yaml, which every release renders.
*/}}
{{- define "ocpizza.validate" -}}
{{- $v := .Values -}}
{{- $url := required "config.publicUrl is required: the public base URL of the app, e.g. --set config.publicUrl=https://commande.ocpizza.fr" $v.config.publicUrl -}}
{{- if not (regexMatch "^https?://[^/\\s]+" $url) -}}
{{- fail (printf "config.publicUrl must be an http(s) URL such as https://commande.ocpizza.fr (got %q)" $url) -}}
{{- end -}}
{{- range $name, $s3 := dict "config.backup.s3" $v.config.backup.s3 "config.images.s3" $v.config.images.s3 -}}
{{- if $s3.endpoint -}}
{{- $_ := required (printf "%s.region is required with %s.endpoint" $name $name) $s3.region -}}
{{- $_ := required (printf "%s.bucket is required with %s.endpoint" $name $name) $s3.bucket -}}
{{- end -}}
{{- end -}}
{{- if le (int $v.worker.terminationGracePeriodSeconds) (int $v.worker.shutdownTimeoutSeconds) -}}
{{- fail "worker.terminationGracePeriodSeconds must be longer than worker.shutdownTimeoutSeconds, or running jobs are killed before they finish" -}}
{{- end -}}
{{- if and $v.ingress.enabled $v.admin.enabled $v.ingress.admin.enabled -}}
{{- $_ := required "ingress.admin.host is required when the admin API is exposed (or set ingress.admin.enabled=false)" $v.ingress.admin.host -}}
{{- end -}}
{{- end }}
