package main

// provisioning are the Grafana provisioning files, by path under provisioning/: the data sources
// the dashboards name by UID, and a provider that loads the dashboards from a directory.
var provisioning = map[string]string{
	"datasources/callcenter.yaml": `# Data sources of the call-center dashboards, by the UIDs the dashboards use. Edit the URLs to
# where your Prometheus, Loki, Tempo and Jaeger answer (as Grafana's server reaches them).
apiVersion: 1
datasources:
  - name: Call center Prometheus
    type: prometheus
    uid: ` + prometheusUID + `
    access: proxy
    url: http://localhost:9090
    jsonData:
      httpMethod: POST
  - name: Call center Loki
    type: loki
    uid: ` + lokiUID + `
    access: proxy
    url: http://localhost:3100
    jsonData:
      # A call record's trace_id (structured metadata of Loki's OTLP ingestion) opens its trace.
      derivedFields:
        - name: Trace in Tempo
          matcherType: label
          matcherRegex: trace_id
          datasourceUid: ` + tempoUID + `
          url: "$${__value.raw}"
          urlDisplayLabel: Trace in Tempo
        - name: Trace in Jaeger
          matcherType: label
          matcherRegex: trace_id
          datasourceUid: ` + jaegerUID + `
          url: "$${__value.raw}"
          urlDisplayLabel: Trace in Jaeger
  - name: Call center Tempo
    type: tempo
    uid: ` + tempoUID + `
    access: proxy
    url: http://localhost:3200
    jsonData:
      tracesToLogsV2:
        datasourceUid: ` + lokiUID + `
        filterByTraceID: true
        spanStartTimeShift: -1h
        spanEndTimeShift: 1h
  - name: Call center Jaeger
    type: jaeger
    uid: ` + jaegerUID + `
    access: proxy
    url: http://localhost:16686
    jsonData:
      tracesToLogsV2:
        datasourceUid: ` + lokiUID + `
        filterByTraceID: true
        spanStartTimeShift: -1h
        spanEndTimeShift: 1h
`,
	"dashboards/callcenter.yaml": `# Loads the call-center dashboards from the directory the repository's dashboards/ is mounted at.
apiVersion: 1
providers:
  - name: callcenter
    folder: Call center
    type: file
    allowUiUpdates: false
    options:
      path: /var/lib/grafana/dashboards/callcenter
`,
}
