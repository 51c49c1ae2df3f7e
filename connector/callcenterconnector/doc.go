//go:generate mdatagen metadata.yaml

// Package callcenterconnector is the assembly tier of the scaled-out shape: a connector from
// logs to logs, metrics and traces that reads the records of callcenter receivers in mode edge
// (package relay), decodes each push again as the edge did, and runs the same core as the
// all-in-one receiver on it: dedup, sessions, logs, metrics, traces, with the same storage
// option.
package callcenterconnector // import "github.com/otelcallcenter/callcenterreceiver/connector/callcenterconnector"
