// Package callcenterreceiver is an OpenTelemetry Collector receiver, type callcenter, that hosts
// the webhook endpoints cloud call-center platforms push to (Tencent Cloud Contact Center, Udesk,
// UinCall, 得助智能) and turns their pushes into logs, metrics and traces.
//
// The code in internal/metadata, generated_*_test.go and documentation.md is generated from
// metadata.yaml by mdatagen: run `make generate`.
package callcenterreceiver // import "github.com/otelcallcenter/callcenterreceiver"
