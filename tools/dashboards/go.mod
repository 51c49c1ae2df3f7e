// Module dashboards generates the Grafana dashboards under dashboards/ (`make dashboards`), in
// its own module so that the receiver does not depend on the Grafana SDK.
module tools/dashboards

go 1.26.0

require github.com/grafana/grafana-foundation-sdk/go v0.0.22
