//go:build tools

// Package tools pins the tool this module builds; the Makefile builds it into .tools/.
package tools

import _ "github.com/golangci/golangci-lint/v2/cmd/golangci-lint"
