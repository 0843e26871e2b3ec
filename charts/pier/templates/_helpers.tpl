{{- define "pier.labels" -}}
app.kubernetes.io/name: pier
app.kubernetes.io/instance: {{ .Release.Name }}
app.kubernetes.io/version: {{ .Chart.AppVersion | quote }}
{{- end -}}
{{- define "pier.selector" -}}
app.kubernetes.io/name: pier
app.kubernetes.io/instance: {{ .Release.Name }}
{{- end -}}
