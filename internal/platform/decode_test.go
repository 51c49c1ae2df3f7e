package platform

import (
	"bytes"
	"encoding/json"
	"reflect"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
)

// valueSlow is Value through encoding/json only, as it read every body before the scanner.
func valueSlow(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, err
	}
	return Normalize(v), nil
}

// valueCases are valid JSON whose plain values the scanner must read as encoding/json does:
// numbers of each kind (integers beyond int64 become float64, beyond float64 stay text), escapes,
// invalid UTF-8 (replaced by U+FFFD), duplicate keys, empty containers, whitespace.
var valueCases = []string{
	`{}`, `[]`, `"s"`, `0`, `null`, `true`,
	` { "a" : [ 1 , -2.5 , 3e2 , 9223372036854775808 , 1e400 , "x" ] , "b" : { } , "c" : [ ] } `,
	`{"k\"ey":"v\\\"al\u00e9\ud83d\ude00","dup":1,"dup":2,"n":null,"t":true,"f":false}`,
	"{\"bad\":\"\xff\xfe\",\"\xc3\":1}",
	`{"得助":{"data":{"speechCallResult":3,"expansionFields":"{\"a\":1}"}}}`,
}

func TestValueReadsAsEncodingJSON(t *testing.T) {
	for _, c := range valueCases {
		want, err := valueSlow([]byte(c))
		require.NoError(t, err, c)
		got, err := Value([]byte(c))
		require.NoError(t, err, c)
		assert.Equal(t, want, got, c)
	}
}

// The vendors' sample bodies (the receiver's fixtures) read the same.
func TestValueReadsTheVendorFixturesAsEncodingJSON(t *testing.T) {
	for f, data := range platformtest.Fixtures(t) {
		want, err := valueSlow(data)
		require.NoError(t, err, f)
		got, err := Value(data)
		require.NoError(t, err, f)
		assert.Equal(t, want, got, f)
	}
}

func TestValueRefusesWhatEncodingJSONRefuses(t *testing.T) {
	for _, c := range []string{`{"a":}`, `{"a":1} x`, `{"a":1`, `[1,]`, ``} {
		_, err := Value([]byte(c))
		require.Error(t, err, c)
	}
}

func FuzzValue(f *testing.F) {
	for _, c := range valueCases {
		f.Add([]byte(c))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		want, wantErr := valueSlow(data)
		got, err := Value(data)
		if (err == nil) != (wantErr == nil) && json.Valid(data) {
			t.Fatalf("%q: error %v, encoding/json %v", data, err, wantErr)
		}
		if err == nil && wantErr == nil && !reflect.DeepEqual(want, got) {
			t.Fatalf("%q: %#v, encoding/json %#v", data, got, want)
		}
	})
}
