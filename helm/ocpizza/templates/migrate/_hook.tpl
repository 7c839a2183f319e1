{{/*
The migration job runs as a pre-install/pre-upgrade hook, before the release's own ConfigMap,
Secret and ServiceAccount exist on a first install. It therefore uses hook copies of them
(weight -10, so they exist before the job at weight 0) rather than turning the release's own
objects into hooks: hook objects are not managed by the release (not updated in place, not
deleted on uninstall), and `before-hook-creation` would delete the Secret the running pods read
for a moment on every upgrade. The copies are deleted once every hook of the phase has succeeded
(hook-succeeded); after a failure they stay for debugging until the next attempt replaces them.
*/}}

{{- define "ocpizza.migrate.name" -}}
{{- include "ocpizza.componentName" (dict "ctx" . "component" "migrate") -}}
{{- end }}

{{- define "ocpizza.migrate.hookAnnotations" -}}
helm.sh/hook: pre-install,pre-upgrade
helm.sh/hook-weight: {{ . | quote }}
helm.sh/hook-delete-policy: before-hook-creation,hook-succeeded
{{- end }}

{{/* The Secret of the job: existingSecret, or the chart's hook copy. */}}
{{- define "ocpizza.migrate.secretName" -}}
{{- .Values.secrets.existingSecret | default (include "ocpizza.migrate.name" .) -}}
{{- end }}

{{- define "ocpizza.migrate.serviceAccountName" -}}
{{- if .Values.serviceAccount.create -}}
{{- include "ocpizza.migrate.name" . -}}
{{- else -}}
{{- include "ocpizza.serviceAccountName" . -}}
{{- end -}}
{{- end }}

{{/*
Whether the job mounts the claim: it is made with the release, after pre-install hooks, so on a
first install it does not exist yet and the job writes its local copy to an emptyDir (the S3
copy stays; a fresh database has nothing to back up anyway). An existingClaim, an upgrade, or a
claim kept from an earlier release is mounted. Returns "true" or "".
*/}}
{{- define "ocpizza.migrate.useClaim" -}}
{{- if .Values.persistence.enabled -}}
{{- if or .Values.persistence.existingClaim .Release.IsUpgrade (lookup "v1" "PersistentVolumeClaim" .Release.Namespace (include "ocpizza.claimName" .)) -}}
true
{{- end -}}
{{- end -}}
{{- end }}
