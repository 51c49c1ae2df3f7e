package flex

import (
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"

	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
)

// decodeSlow is Decode through encoding/json's tokenizer only, the path of invalid JSON.
func decodeSlow(data []byte, v any) []string {
	d := &decoder{}
	d.value(path{}, data, reflect.ValueOf(v).Elem(), infoOf(reflect.ValueOf(v).Elem().Type()))
	return d.warnings
}

// scannerCases are valid JSON the fast scanner must split as encoding/json does: escapes in keys
// and strings (a quote, a backslash before a quote, \u escapes), brackets inside strings,
// whitespace everywhere, nesting, duplicate keys, keys differing in case only.
var scannerCases = []string{
	`{}`,
	` { "str" : "a" , "int" : 7 } `,
	"{\n\t\"str\":\"x\\\"}]\",\"list\":[\"[\",\"{\\\\\",\"\\u0041\"]\r\n}",
	`{"s\u0074r":"escaped key","int":1,"int":2}`,
	`{"CAMELCASE":"fold","camelCase":"exact","inner":{"n":1,"s":"}","x":[{"y":[]}]},"items":[ {"n":2} , {} ,null ]}`,
	`{"any":{"a":[1,{"b":"]"}],"c":null},"labels":{"k\"":"v","":""},"float":-1.5e3,"bool":false,"ptr":null}`,
	`{"str":{},"int":1.5,"list":["a",{}],"items":[{"n":"x","s":"kept"},3],"time":"1606188550000"}`,
}

func TestScannerSplitsAsEncodingJSON(t *testing.T) {
	for _, c := range scannerCases {
		var fast, slow decodeTarget
		fastWarnings, slowWarnings := Decode([]byte(c), &fast), decodeSlow([]byte(c), &slow)
		assert.Equal(t, slow, fast, c)
		assert.Equal(t, slowWarnings, fastWarnings, c)
	}
}

// The vendors' own sample bodies (the fixtures the decoders are tested with) split the same way.
func TestScannerSplitsTheVendorFixtures(t *testing.T) {
	for f, data := range platformtest.Fixtures(t) {
		var fast, slow map[string]any
		assert.Equal(t, decodeSlow(data, &slow), Decode(data, &fast), f)
		assert.Equal(t, slow, fast, f)
	}
}

func FuzzScanner(f *testing.F) {
	for _, c := range scannerCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		var fast, slow decodeTarget
		fastWarnings, slowWarnings := Decode(data, &fast), decodeSlow(data, &slow)
		if !reflect.DeepEqual(fast, slow) || !reflect.DeepEqual(fastWarnings, slowWarnings) {
			t.Fatalf("%q: fast %+v %q, slow %+v %q", data, fast, fastWarnings, slow, slowWarnings)
		}
	})
}
