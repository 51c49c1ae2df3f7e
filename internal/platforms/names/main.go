// Command names prints the registered platforms' names, one a line: the Makefile derives its
// fuzz targets from them.
package main

import (
	"fmt"

	"github.com/otelcallcenter/callcenterreceiver/internal/platforms"
)

func main() {
	for _, name := range platforms.Names() {
		fmt.Println(name)
	}
}
