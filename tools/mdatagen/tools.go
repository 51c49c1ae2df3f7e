//go:build tools

// Package tools pins the tool this module builds; the Makefile builds it into .tools/.
package tools

import _ "go.opentelemetry.io/collector/cmd/mdatagen"
