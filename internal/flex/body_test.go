package flex

import (
	"bytes"
	"encoding/json"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/otelcallcenter/callcenterreceiver/internal/platformtest"
)

// bodySlow is what Body must read, through encoding/json: plain values with numbers read by
// json.Number (an int64, else a float64, else the text), as log bodies were built before Body.
func bodySlow(data []byte) (map[string]any, bool) {
	trimmed := bytes.TrimLeft(data, " \t\r\n")
	if !json.Valid(data) || trimmed[0] != '{' {
		return nil, false
	}
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var m map[string]any
	if err := dec.Decode(&m); err != nil {
		panic(err) // valid
	}
	return normalize(m).(map[string]any), true
}

func normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = normalize(e)
		}
	case []any:
		for i, e := range t {
			t[i] = normalize(e)
		}
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(t.String(), 64); err == nil {
			return f
		}
		return t.String()
	}
	return v
}

func checkBody(t *testing.T, data []byte) {
	t.Helper()
	want, wantOK := bodySlow(data)
	got, ok := Body(data)
	if ok != wantOK {
		t.Fatalf("%.200q: read %t, encoding/json %t", data, ok, wantOK)
	}
	if ok && !reflect.DeepEqual(want, got.AsRaw()) {
		t.Fatalf("%.200q:\n got %#v\nwant %#v", data, got.AsRaw(), want)
	}
}

// bodyCases are objects Body must read as encoding/json does, and JSON it must refuse as
// json.Valid does: numbers of every kind and form, escapes and invalid UTF-8, duplicate keys,
// empty containers, whitespace, literals, and the limit of nesting.
var bodyCases = []string{
	`{}`, ` {} `, "\t{\r\n}\n",
	`{"a":[1,-2.5,3e2,-0,0.0,1E+2,1e-2,9223372036854775807,-9223372036854775808,9223372036854775808,1e400,-1e400,"x"],"b":{},"c":[]}`,
	`{"k\"ey":"v\\\"al\u00e9\ud83d\ude00","dup":1,"dup":2,"n":null,"t":true,"f":false,"dup":{"x":[]}}`,
	"{\"bad\":\"\xff\xfe\",\"\xc3\":1,\"\\ud800\":\"\\udc00\\ud800\"}",
	`{"esc":"\/\b\f\n\r\t\u0000\u001F\uABCD\uabcd"}`,
	`{"deep":[[[{"a":[{"b":null}]}]]],"s":"]}{[,:"}`,
	`{"a":01}`, `{"a":1.}`, `{"a":.5}`, `{"a":-}`, `{"a":1e}`, `{"a":1e+}`, `{"a":+1}`, `{"a":0x1}`, `{"a":1.5.5}`,
	"{\"a\":\"\x01\"}", "{\"a\":\"\x1f\"}", `{"a":"\u12g4"}`, `{"a":"\u12"}`, `{"a":"\x"}`, `{"a":"\`, `{"a":"`,
	`{"a":tru}`, `{"a":nul}`, `{"a":falsey}`, `{"a":True}`, `{"a":1,}`, `{,}`, `{"a" 1}`, `{"a":1}}`, `{"a":1} x`,
	`{"a":[1,]}`, `{"a":[,1]}`, `{"a":[1 2]}`, `{a:1}`, `{"a":1 "b":2}`, `{"a":}`, `{"a"}`, `{`, `{"a":[`, `{"a":{`,
	"{}\x00", "{} {}", `[]`, `"s"`, `1`, `null`, ``, ` `,
	`{"a":` + strings.Repeat("[", 9999) + strings.Repeat("]", 9999) + `}`,
	`{"a":` + strings.Repeat("[", 10000) + strings.Repeat("]", 10000) + `}`,
	`{"a":` + strings.Repeat(`{"a":`, 9998) + "1" + strings.Repeat("}", 9998) + `}`,
	`{"a":` + strings.Repeat(`{"a":`, 9999) + "1" + strings.Repeat("}", 9999) + `}`,
}

func TestBodyReadsAsEncodingJSON(t *testing.T) {
	for _, c := range append(bodyCases, scannerCases...) {
		checkBody(t, []byte(c))
	}
}

func TestBodyReadsTheVendorFixtures(t *testing.T) {
	for _, data := range platformtest.Fixtures(t) {
		checkBody(t, data)
	}
}

// An object of more members than are built directly is read the same, through a plain map, in
// linear time (built directly, 200 000 members would take minutes).
func TestBodyReadsManyMembers(t *testing.T) {
	for _, n := range []int{manyMembers, manyMembers + 1, 3000} {
		var b strings.Builder
		b.WriteString(`{"nested":{"a":[1,{"b":null}],"c":1.5},`)
		for i := range n {
			fmt.Fprintf(&b, `"k%d":%d,`, i%(n-10), i) // ten keys twice: the later value wins
		}
		b.WriteString(`"last":{"deep":[[],{}]}}`)
		checkBody(t, []byte(b.String()))
		checkBody(t, []byte(`{"before":[{}],"big":`+b.String()+`,"after":{"x":[{"y":1},[2]]}}`))
	}
	var b strings.Builder
	b.WriteString("{")
	for i := range 200_000 {
		fmt.Fprintf(&b, `"k%d":"v",`, i)
	}
	b.WriteString(`"end":0}`)
	start := time.Now()
	m, ok := Body([]byte(b.String()))
	require.True(t, ok)
	assert.Equal(t, 200_001, m.Len())
	assert.Less(t, time.Since(start), 10*time.Second, "quadratic")
}

// A key sent twice holds its last value, once.
func TestBodyKeepsTheLastOfADuplicateKey(t *testing.T) {
	m, ok := Body([]byte(`{"a":1,"b":2,"a":{"c":3}}`))
	require.True(t, ok)
	assert.Equal(t, 2, m.Len())
	assert.Equal(t, map[string]any{"a": map[string]any{"c": int64(3)}, "b": int64(2)}, m.AsRaw())
}

func FuzzBody(f *testing.F) {
	for _, c := range append(bodyCases, scannerCases...) {
		if len(c) < 1000 {
			f.Add([]byte(c))
		}
	}
	f.Fuzz(checkBody)
}
