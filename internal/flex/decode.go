package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Decode reads data, one JSON value, into v (a pointer) as encoding/json does, leniently: a
// string field takes a number (its digits), a number field a string of digits, a bool field
// "true"/"false" or 0/1. A value that still cannot be read leaves its field zero (an array its
// element out) and is named in a warning, "data.transferId: expected a string, got object";
// the rest is read all the same. Warnings name the JSON kind, never the value: the value stays in
// the payload, and may be personal data. Decode never fails: data that is not JSON is one
// warning.
//
// Object keys match the json tag, else the field name, exactly or else case-insensitively, as in
// encoding/json; of duplicate keys the last wins. Embedded structs are not promoted.
func Decode(data []byte, v any) []string {
	return decode(data, v, json.Valid(data))
}

// DecodeValid is Decode of data the caller has checked is valid JSON (json.Valid), which is then
// not checked again.
func DecodeValid(data []byte, v any) []string {
	return decode(data, v, true)
}

func decode(data []byte, v any, valid bool) []string {
	d := &decoder{valid: valid}
	rv := reflect.ValueOf(v)
	if rv.Kind() != reflect.Pointer || rv.IsNil() {
		panic("flex.Decode: v must be a non-nil pointer") // a programming error, not input
	}
	d.value(path{}, data, rv.Elem(), infoOf(rv.Elem().Type()))
	return d.warnings
}

type decoder struct {
	warnings []string
	// valid is true when the whole value is valid JSON: its objects and arrays are then split
	// by the fast scanner (scan.go).
	valid bool
}

var unmarshalerType = reflect.TypeFor[json.Unmarshaler]()

// value reads raw into v, of the type info is about, and reports whether it stored a value (not
// null, absent or unreadable).
func (d *decoder) value(at path, raw []byte, v reflect.Value, info *typeInfo) bool {
	raw = bytes.TrimSpace(raw)
	if len(raw) == 0 {
		d.warn(at, "expected a JSON value, got nothing")
		return false
	}
	if bytes.Equal(raw, null) {
		return false
	}
	if info.unmarshaler {
		if err := v.Addr().Interface().(json.Unmarshaler).UnmarshalJSON(raw); err != nil {
			v.SetZero()
			d.mismatch(at, raw, v.Type(), err)
			return false
		}
		return true
	}
	switch v.Kind() {
	case reflect.Pointer:
		elem := reflect.New(v.Type().Elem())
		if !d.value(at, raw, elem.Elem(), info.elem) {
			return false
		}
		v.Set(elem)
		return true
	case reflect.Struct, reflect.Map:
		if v.Kind() == reflect.Map && v.Type().Key().Kind() != reflect.String {
			panic("flex.Decode: map keys must be strings")
		}
		return d.object(at, raw, v, info)
	case reflect.Slice:
		return d.array(at, raw, v, info.elem)
	case reflect.Interface:
		var x any
		if err := json.Unmarshal(raw, &x); err != nil {
			d.mismatch(at, raw, v.Type(), err)
			return false
		}
		if x != nil {
			v.Set(reflect.ValueOf(x))
		}
		return x != nil
	default:
		return d.scalar(at, raw, v)
	}
}

// scalar reads a string, integer, bool or float, with flex's own forms.
func (d *decoder) scalar(at path, raw []byte, v reflect.Value) bool {
	switch v.Kind() {
	case reflect.String:
		if d.valid && raw[0] == '"' {
			v.SetString(Unquote(raw))
			return true
		}
		var s String
		if err := s.UnmarshalJSON(raw); err != nil {
			d.mismatch(at, raw, v.Type(), err)
			return false
		}
		v.SetString(string(s))
		return true
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		var i Int
		if err := i.UnmarshalJSON(raw); err != nil || v.OverflowInt(i.Value) {
			d.mismatch(at, raw, v.Type(), err)
			return false
		}
		v.SetInt(i.Value)
		return i.Valid
	case reflect.Bool:
		b, ok := parseBool(raw)
		if !ok {
			d.mismatch(at, raw, v.Type(), nil)
			return false
		}
		v.SetBool(b)
		return true
	case reflect.Float32, reflect.Float64:
		text := unquote(raw)
		f, err := strconv.ParseFloat(text, 64)
		if err != nil || v.OverflowFloat(f) || (raw[0] != '"' && !isNumber(raw)) {
			d.mismatch(at, raw, v.Type(), nil)
			return false
		}
		v.SetFloat(f)
		return true
	default:
		panic("flex.Decode: unsupported field type " + v.Type().String())
	}
}

// parseBool reads true/false, the same as text, or 0/1.
func parseBool(raw []byte) (bool, bool) {
	switch strings.ToLower(strings.TrimSpace(unquote(raw))) {
	case "true", "1":
		return true, true
	case "false", "0":
		return false, true
	default:
		return false, false
	}
}

// unquote is the text of a JSON string, or raw itself for any other value.
func unquote(raw []byte) string {
	if raw[0] != '"' {
		return string(raw)
	}
	return Unquote(raw)
}

// object reads a JSON object into a struct or a map, member by member, in order.
func (d *decoder) object(at path, raw []byte, v reflect.Value, info *typeInfo) bool {
	if raw[0] != '{' {
		d.mismatch(at, raw, v.Type(), nil)
		return false
	}
	here := at.String()
	if d.valid {
		for m := newMembers(raw); m.next(); {
			d.member(here, keyText(m.key), m.value, v, info)
		}
		return true
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if _, err := dec.Token(); err != nil {
		d.invalid(at, err)
		return false
	}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			d.invalid(at, err)
			return true
		}
		key, _ := tok.(string) // object keys are strings
		var member json.RawMessage
		if err := dec.Decode(&member); err != nil {
			d.invalid(at, err)
			return true
		}
		d.member(here, []byte(key), member, v, info)
	}
	return true
}

// member sets the struct field or the map entry a member names. The key is its text, unquoted.
func (d *decoder) member(parent string, key, raw []byte, v reflect.Value, info *typeInfo) {
	at := path{parent: parent, key: key}
	if v.Kind() == reflect.Map {
		d.entry(at, raw, v, info.elem)
		return
	}
	i := info.field(key)
	if i < 0 {
		return // a field the model does not read: it stays in the payload
	}
	f := v.Field(i)
	f.SetZero() // of duplicate keys, the last wins
	d.value(at, raw, f, info.fields[i])
}

// entry sets one map entry; unreadable values are left out.
func (d *decoder) entry(at path, raw []byte, v reflect.Value, info *typeInfo) {
	elem := reflect.New(v.Type().Elem()).Elem()
	if !d.value(at, raw, elem, info) {
		return
	}
	if v.IsNil() {
		v.Set(reflect.MakeMap(v.Type()))
	}
	v.SetMapIndex(reflect.ValueOf(string(at.key)).Convert(v.Type().Key()), elem)
}

// array reads a JSON array; elements that are null or unreadable are left out. info is about
// the elements.
func (d *decoder) array(at path, raw []byte, v reflect.Value, info *typeInfo) bool {
	if raw[0] != '[' {
		d.mismatch(at, raw, v.Type(), nil)
		return false
	}
	var elems []json.RawMessage
	n := 0
	if d.valid {
		for e := newElements(raw); e.next(); {
			n++
		}
	} else if err := json.Unmarshal(raw, &elems); err != nil {
		d.invalid(at, err)
		return false
	} else {
		n = len(elems)
	}
	// Read into the slice's own elements, in place: an element left out is zeroed and its place
	// taken by the next one.
	out := reflect.MakeSlice(v.Type(), n, n)
	kept := 0
	here := at.String()
	cursor := newElements(raw) // valid JSON's; elems are the others'
	for i := range n {
		var elem []byte
		if d.valid {
			cursor.next()
			elem = cursor.value
		} else {
			elem = elems[i]
		}
		slot := out.Index(kept)
		if d.value(path{parent: here, index: i, element: true}, elem, slot, info) {
			kept++
		} else {
			slot.SetZero()
		}
	}
	v.Set(out.Slice(0, kept))
	return true
}

// typeInfo is what decoding needs of a type, worked out once and reached from its container's:
// asking reflect, or a cache, for every value of every push was a fifth of decoding it.
type typeInfo struct {
	unmarshaler bool      // its pointer implements json.Unmarshaler
	elem        *typeInfo // a pointer's, slice's or map's elements'
	// A struct's fields by their JSON names.
	exact  map[string]int // the first field of each name
	names  []namedField   // in field order, for the case-insensitive match
	fields []*typeInfo    // by field index
}

type namedField struct {
	name  []byte
	index int
}

var typeInfos sync.Map // reflect.Type → *typeInfo

func infoOf(t reflect.Type) *typeInfo {
	if info, ok := typeInfos.Load(t); ok {
		return info.(*typeInfo)
	}
	info, _ := typeInfos.LoadOrStore(t, newInfo(t, map[reflect.Type]*typeInfo{}))
	return info.(*typeInfo)
}

// newInfo works out the info of a type and of its parts; begun holds those begun, for a type
// that contains itself.
func newInfo(t reflect.Type, begun map[reflect.Type]*typeInfo) *typeInfo {
	if info, ok := begun[t]; ok {
		return info
	}
	info := &typeInfo{unmarshaler: reflect.PointerTo(t).Implements(unmarshalerType)}
	begun[t] = info
	switch {
	case info.unmarshaler:
	case t.Kind() == reflect.Pointer || t.Kind() == reflect.Slice || t.Kind() == reflect.Map:
		info.elem = newInfo(t.Elem(), begun)
	case t.Kind() == reflect.Struct:
		info.exact = map[string]int{}
		info.fields = make([]*typeInfo, t.NumField())
		for i := range t.NumField() {
			f := t.Field(i)
			if !f.IsExported() || f.Anonymous {
				continue
			}
			name, _, _ := strings.Cut(f.Tag.Get("json"), ",")
			switch name {
			case "-":
				continue
			case "":
				name = f.Name
			}
			if _, seen := info.exact[name]; !seen {
				info.exact[name] = i
			}
			info.names = append(info.names, namedField{name: []byte(name), index: i})
			info.fields[i] = newInfo(f.Type, begun)
		}
	}
	return info
}

// field finds the exported field of a struct a key names: its json tag or name, exactly, else
// case-insensitively. It returns -1 when there is none.
func (info *typeInfo) field(key []byte) int {
	if i, ok := info.exact[string(key)]; ok {
		return i
	}
	for _, f := range info.names {
		if bytes.EqualFold(f.name, key) {
			return f.index
		}
	}
	return -1
}

// path is where a value is in the body, as a warning names it ("data.list[2].id"): the path of
// its object or array, spelled out once for all their members, and its key or index, joined only
// for a warning.
type path struct {
	parent  string
	key     []byte // a member's key, unquoted
	index   int    // an element's index
	element bool
}

func (p path) String() string {
	if p.element {
		return p.parent + "[" + strconv.Itoa(p.index) + "]"
	}
	return join(p.parent, string(p.key))
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

func (d *decoder) warn(at path, format string, args ...any) {
	where := at.String()
	if where == "" {
		where = "the body"
	}
	d.warnings = append(d.warnings, where+": "+fmt.Sprintf(format, args...))
}

// mismatch warns of a value of the wrong kind for t (or for the type err names).
func (d *decoder) mismatch(at path, raw []byte, t reflect.Type, err error) {
	if typeErr := (*json.UnmarshalTypeError)(nil); errors.As(err, &typeErr) && typeErr.Type != nil {
		t = typeErr.Type
	}
	d.warn(at, "expected %s, got %s", Expected(t), kindOf(raw))
}

func (d *decoder) invalid(at path, err error) {
	d.warn(at, "invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
}

var (
	timeType   = reflect.TypeFor[time.Time]()
	flexTime   = reflect.TypeFor[Time]()
	flexInt    = reflect.TypeFor[Int]()
	flexString = reflect.TypeFor[String]()
)

// Expected names a Go type the way a vendor document would.
func Expected(t reflect.Type) string {
	switch t {
	case timeType, flexTime:
		return "a time (epoch milliseconds or a date-time)"
	case flexInt:
		return "an integer"
	case flexString:
		return "a string"
	}
	switch t.Kind() {
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
		reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		return "an integer"
	case reflect.Float32, reflect.Float64:
		return "a number"
	case reflect.String:
		return "a string"
	case reflect.Bool:
		return "true or false"
	case reflect.Slice, reflect.Array:
		return "an array"
	case reflect.Pointer:
		return Expected(t.Elem())
	default:
		return "an object"
	}
}
