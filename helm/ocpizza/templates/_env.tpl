{{/*
Configuration of the binaries (docs/CONFIGURATION.md). ConfigMap and Secret keys are the variable
names themselves. A pod gets only the keys of its binary: the config is strict (`backup.s3` given
without its access key is an error, as is an unknown key), and the runtime role must never see the
owner role's URL.
*/}}

{{/* The ConfigMap's data (non-secret settings), as a YAML map. */}}
{{- define "ocpizza.configData" -}}
{{- $c := .Values.config -}}
OCPIZZA_PROFILE: "production"
OCPIZZA_LOG__FORMAT: "json"
OCPIZZA_LOG__LEVEL: {{ $c.logLevel | quote }}
OCPIZZA_HTTP__PUBLIC_URL: {{ $c.publicUrl | quote }}
OCPIZZA_HTTP__TRUST_FORWARDED_FOR: {{ $c.trustForwardedFor | toString | quote }}
OCPIZZA_EMAIL__FROM: {{ $c.emailFrom | quote }}
OCPIZZA_DATABASE__MAX_CONNECTIONS: {{ $c.databaseMaxConnections | toString | quote }}
OCPIZZA_BACKUP__RETENTION_DAYS: {{ $c.backup.retentionDays | toString | quote }}
{{- range $prefix, $s3 := dict "OCPIZZA_BACKUP__S3__" $c.backup.s3 "OCPIZZA_IMAGES__S3__" $c.images.s3 }}
{{- if $s3.endpoint }}
{{ $prefix }}ENDPOINT: {{ $s3.endpoint | quote }}
{{ $prefix }}REGION: {{ $s3.region | quote }}
{{ $prefix }}BUCKET: {{ $s3.bucket | quote }}
{{ $prefix }}PREFIX: {{ $s3.prefix | quote }}
{{ $prefix }}PATH_STYLE: {{ $s3.pathStyle | toString | quote }}
{{- end }}
{{- end }}
{{- if $c.sentry.enabled }}
OCPIZZA_SENTRY__ENVIRONMENT: {{ $c.sentry.environment | quote }}
{{- end }}
{{- end }}

{{/* Keys of the Secret the settings call for (the chart's own or existingSecret), one per line. */}}
{{- define "ocpizza.secretKeys" -}}
{{- $c := .Values.config -}}
OCPIZZA_DATABASE__URL
OCPIZZA_DATABASE__ADMIN_URL
OCPIZZA_AUTH__JWT_SECRET
OCPIZZA_EMAIL__SMTP_URL
{{- if $c.backup.s3.endpoint }}
OCPIZZA_BACKUP__S3__ACCESS_KEY
OCPIZZA_BACKUP__S3__SECRET_KEY
{{- end }}
{{- if $c.images.s3.endpoint }}
OCPIZZA_IMAGES__S3__ACCESS_KEY
OCPIZZA_IMAGES__S3__SECRET_KEY
{{- end }}
{{- if $c.sentry.enabled }}
OCPIZZA_SENTRY__DSN
{{- end }}
{{- if .Values.metrics.requireToken }}
OCPIZZA_HTTP__METRICS_TOKEN
{{- end }}
{{- end }}

{{/* The chart-made Secret's data, base64-encoded; each value required with a message naming it. */}}
{{- define "ocpizza.secretData" -}}
{{- $s := .Values.secrets -}}
{{- $hint := "(or set secrets.existingSecret to a Secret you manage)" -}}
{{- $values := dict
  "OCPIZZA_DATABASE__URL" (list "secrets.databaseUrl" $s.databaseUrl "the runtime role's URL, postgres://ocpizza_app:…@host/ocpizza")
  "OCPIZZA_DATABASE__ADMIN_URL" (list "secrets.databaseAdminUrl" $s.databaseAdminUrl "the owner role's URL, postgres://ocpizza_owner:…@host/ocpizza")
  "OCPIZZA_AUTH__JWT_SECRET" (list "secrets.jwtSecret" $s.jwtSecret "at least 32 bytes: `ocpizza-admin secret generate`")
  "OCPIZZA_EMAIL__SMTP_URL" (list "secrets.smtpUrl" $s.smtpUrl "smtp://user:pass@host:587?tls=required; production refuses to run the worker without it")
  "OCPIZZA_BACKUP__S3__ACCESS_KEY" (list "secrets.backupS3.accessKey" $s.backupS3.accessKey "needed with config.backup.s3.endpoint")
  "OCPIZZA_BACKUP__S3__SECRET_KEY" (list "secrets.backupS3.secretKey" $s.backupS3.secretKey "needed with config.backup.s3.endpoint")
  "OCPIZZA_IMAGES__S3__ACCESS_KEY" (list "secrets.imagesS3.accessKey" $s.imagesS3.accessKey "needed with config.images.s3.endpoint")
  "OCPIZZA_IMAGES__S3__SECRET_KEY" (list "secrets.imagesS3.secretKey" $s.imagesS3.secretKey "needed with config.images.s3.endpoint")
  "OCPIZZA_SENTRY__DSN" (list "secrets.sentryDsn" $s.sentryDsn "needed with config.sentry.enabled")
  "OCPIZZA_HTTP__METRICS_TOKEN" (list "secrets.metricsToken" $s.metricsToken "the bearer token Prometheus sends to /metrics (`ocpizza-admin secret generate`), needed with metrics.requireToken")
-}}
{{- range $key := include "ocpizza.secretKeys" . | splitList "\n" }}
{{- $entry := get $values $key }}
{{ $key }}: {{ required (printf "%s is required: %s %s" (index $entry 0) (index $entry 2) $hint) (index $entry 1) | b64enc | quote }}
{{- end }}
{{- if $s.jwtPreviousSecret }}
OCPIZZA_AUTH__JWT_PREVIOUS_SECRET: {{ $s.jwtPreviousSecret | b64enc | quote }}
{{- end }}
{{- end }}

{{/*
Secret keys each binary may read:
  app     runtime database URL, JWT secret, images bucket (to presign), metrics token: never the
          owner URL;
  admin   both database URLs (serve needs both), JWT secret, images and backup buckets, metrics
          token;
  (app and admin also read the previous JWT secret during a rollover, when the Secret has it)
  worker  owner URL, JWT secret (checked at start-up), SMTP, backup bucket;
  migrate owner URL and backup bucket (`migrate up` backs up first).
*/}}
{{- define "ocpizza.secretKeysAllowed" -}}
{{- $images := list "OCPIZZA_IMAGES__S3__ACCESS_KEY" "OCPIZZA_IMAGES__S3__SECRET_KEY" -}}
{{- $backup := list "OCPIZZA_BACKUP__S3__ACCESS_KEY" "OCPIZZA_BACKUP__S3__SECRET_KEY" -}}
{{- $common := list "OCPIZZA_SENTRY__DSN" -}}
{{- $byComponent := dict
  "app" (concat (list "OCPIZZA_DATABASE__URL" "OCPIZZA_AUTH__JWT_SECRET" "OCPIZZA_HTTP__METRICS_TOKEN") $images)
  "admin" (concat (list "OCPIZZA_DATABASE__URL" "OCPIZZA_DATABASE__ADMIN_URL" "OCPIZZA_AUTH__JWT_SECRET" "OCPIZZA_HTTP__METRICS_TOKEN") $images $backup)
  "worker" (concat (list "OCPIZZA_DATABASE__ADMIN_URL" "OCPIZZA_AUTH__JWT_SECRET" "OCPIZZA_EMAIL__SMTP_URL") $backup)
  "migrate" (concat (list "OCPIZZA_DATABASE__ADMIN_URL") $backup)
-}}
{{- concat (get $byComponent .) $common | join "\n" -}}
{{- end }}

{{/* ConfigMap key prefixes a binary must not get (their settings would be incomplete or unknown to it). */}}
{{- define "ocpizza.configPrefixesDenied" -}}
{{- $byComponent := dict
  "app" (list "OCPIZZA_BACKUP__")
  "admin" (list)
  "worker" (list "OCPIZZA_IMAGES__")
  "migrate" (list "OCPIZZA_IMAGES__")
-}}
{{- get $byComponent . | join "\n" -}}
{{- end }}

{{/*
The env list of a container: its own host/port/paths as literals, then ConfigMap and Secret keys.
Call with (dict "ctx" $ "component" "app" "configMap" NAME "secret" NAME "literals" (dict ...)).
*/}}
{{- define "ocpizza.env" -}}
{{- $ctx := .ctx -}}
{{- range $name, $value := .literals }}
- name: {{ $name }}
  value: {{ $value | toString | quote }}
{{- end }}
{{- $denied := include "ocpizza.configPrefixesDenied" .component | splitList "\n" | compact -}}
{{- $cm := .configMap -}}
{{- range $key := include "ocpizza.configData" $ctx | fromYaml | keys | sortAlpha }}
{{- $skip := false }}
{{- range $prefix := $denied }}{{ if hasPrefix $prefix $key }}{{ $skip = true }}{{ end }}{{ end }}
{{- if not $skip }}
- name: {{ $key }}
  valueFrom:
    configMapKeyRef:
      name: {{ $cm }}
      key: {{ $key }}
{{- end }}
{{- end }}
{{- $allowed := include "ocpizza.secretKeysAllowed" .component | splitList "\n" -}}
{{- $secret := .secret -}}
{{- range $key := include "ocpizza.secretKeys" $ctx | splitList "\n" | compact }}
{{- if has $key $allowed }}
- name: {{ $key }}
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: {{ $key }}
{{- end }}
{{- end }}
{{- if has .component (list "app" "admin") }}
- name: OCPIZZA_AUTH__JWT_PREVIOUS_SECRET
  valueFrom:
    secretKeyRef:
      name: {{ $secret }}
      key: OCPIZZA_AUTH__JWT_PREVIOUS_SECRET
      optional: true
{{- end }}
{{- with (get $ctx.Values .component).extraEnv }}
{{ toYaml . }}
{{- end }}
{{- end }}
