package flex

import (
	"testing"
	"time"

	"github.com/stretchr/testify/assert"
)

type decodeInner struct {
	N int64  `json:"n"`
	S string `json:"s"`
}

type decodeTarget struct {
	Str    string            `json:"str"`
	Int    int               `json:"int"`
	Ptr    *int64            `json:"ptr"`
	Bool   *bool             `json:"bool"`
	Float  float64           `json:"float"`
	Time   Time              `json:"time"`
	List   []string          `json:"list"`
	Inner  *decodeInner      `json:"inner"`
	Items  []decodeInner     `json:"items"`
	Labels map[string]string `json:"labels"`
	Any    any               `json:"any"`
	Camel  string            `json:"camelCase"`
	Skip   string            `json:"-"`
}

func TestDecodeReadsOtherTypesWhereUnambiguous(t *testing.T) {
	var v decodeTarget
	warnings := Decode([]byte(`{"str":0,"int":" 7 ","ptr":"-3","bool":"true","float":"1.5","time":"1606188550000",
		"list":["a",2],"inner":{"n":"4","s":5},"labels":{"k":9},"any":{"a":[1]}}`), &v)
	assert.Empty(t, warnings)
	assert.Equal(t, "0", v.Str, "a number is read as its digits")
	assert.Equal(t, 7, v.Int, "digits as text are read as a number")
	assert.Equal(t, int64(-3), *v.Ptr)
	assert.True(t, *v.Bool)
	assert.InDelta(t, 1.5, v.Float, 0)
	assert.Equal(t, time.UnixMilli(1606188550000).UTC(), v.Time.In(time.UTC))
	assert.Equal(t, []string{"a", "2"}, v.List)
	assert.Equal(t, &decodeInner{N: 4, S: "5"}, v.Inner)
	assert.Equal(t, map[string]string{"k": "9"}, v.Labels)
	assert.Equal(t, map[string]any{"a": []any{1.0}}, v.Any)
}

func TestDecodeWarnsOfWhatItCannotRead(t *testing.T) {
	var v decodeTarget
	warnings := Decode([]byte(`{"str":{},"int":1.5,"ptr":"x","bool":"yes","float":[],"time":{"t":1},
		"list":["a",{}],"inner":"x","items":[{"n":"x","s":"kept"},3],"labels":{"a":"b","c":[]},"int":1e400}`), &v)
	assert.Equal(t, []string{
		"str: expected a string, got object",
		"int: expected an integer, got number",
		"ptr: expected an integer, got string",
		"bool: expected true or false, got string",
		"float: expected a number, got array",
		"time: expected a time (epoch milliseconds or a date-time), got object",
		"list[1]: expected a string, got object",
		"inner: expected an object, got string",
		"items[0].n: expected an integer, got string",
		"items[1]: expected an object, got number",
		"labels.c: expected a string, got array",
		"int: expected an integer, got number",
	}, warnings)
	assert.Equal(t, decodeTarget{
		List:   []string{"a"},               // the unreadable element is left out
		Items:  []decodeInner{{S: "kept"}},  // the rest of an element is read
		Labels: map[string]string{"a": "b"}, // and the rest of a map
	}, v, "what cannot be read is zero")
}

func TestDecodeMatchesKeysAsEncodingJSON(t *testing.T) {
	var v decodeTarget
	assert.Empty(t, Decode([]byte(`{"CAMELCASE":"fold","str":"a","str":"b","Skip":"x","-":"y","other":{}}`), &v))
	assert.Equal(t, "fold", v.Camel, "keys match without case")
	assert.Equal(t, "b", v.Str, "the last of duplicate keys wins")
	assert.Empty(t, v.Skip, `fields tagged "-" are not read`)

	v = decodeTarget{}
	assert.Empty(t, Decode([]byte(`{"camelCase":"exact","CamelCase":"folded"}`), &v))
	assert.Equal(t, "folded", v.Camel, "in the body's order, as encoding/json")

	v = decodeTarget{}
	assert.Equal(t, []string{"str: expected a string, got array"}, Decode([]byte(`{"str":"a","str":[]}`), &v))
	assert.Empty(t, v.Str, "a later unreadable duplicate leaves the field zero")
}

func TestDecodeNullAndEmpty(t *testing.T) {
	var v decodeTarget
	assert.Empty(t, Decode([]byte(`{"str":null,"ptr":null,"int":"","bool":null,"inner":null,"list":null,"time":""}`), &v))
	assert.Equal(t, decodeTarget{}, v)

	assert.Equal(t, []string{"the body: expected an object, got array"}, Decode([]byte(`[]`), &v))
	assert.Len(t, Decode([]byte(`{"str":`), &v), 1, "broken JSON is one warning, never a panic")
}

type decodeNode struct {
	Name string       `json:"name"`
	Next *decodeNode  `json:"next"`
	Kids []decodeNode `json:"kids"`
}

// A type that contains itself is read to any depth.
func TestDecodeSelfContainingType(t *testing.T) {
	var v decodeNode
	assert.Empty(t, Decode([]byte(`{"name":"a","next":{"name":"b","next":{"name":"c"}},"kids":[{"name":"d","kids":[{}]}]}`), &v))
	assert.Equal(t, decodeNode{Name: "a", Next: &decodeNode{Name: "b", Next: &decodeNode{Name: "c"}},
		Kids: []decodeNode{{Name: "d", Kids: []decodeNode{{}}}}}, v)
}
