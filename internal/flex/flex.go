// Package flex holds JSON scalar types for fields that vendor documents show in more than one
// form: a number in one sample and a string in another, epoch milliseconds or a date-time text.
// Each accepts exactly the forms the documents show and null; anything else is a type error
// that names the field. Decode reads a whole push with them and turns such errors into warnings.
package flex

import (
	"bytes"
	"encoding/json"
	"errors"
	"reflect"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"
)

var null = []byte("null")

// TypeError reports a JSON value of the wrong kind for target's type; encoding/json adds the
// field path to it.
func TypeError(data []byte, target any) error {
	return &json.UnmarshalTypeError{Value: kindOf(data), Type: reflect.TypeOf(target)}
}

func kindOf(data []byte) string {
	switch data[0] {
	case '{':
		return "object"
	case '[':
		return "array"
	case '"':
		return "string"
	case 't', 'f':
		return "bool"
	default:
		return "number"
	}
}

func isNumber(data []byte) bool {
	c := data[0]
	return c == '-' || (c >= '0' && c <= '9')
}

// String is a string that may also arrive as a JSON number (TCCC EndpointUser is a phone
// number as string or number). Numbers keep their literal digits.
type String string

func (s *String) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, null):
		*s = ""
	case data[0] == '"':
		v, err := Text(data)
		if err != nil {
			return err
		}
		*s = String(v)
	case isNumber(data):
		*s = String(data)
	default:
		return TypeError(data, "")
	}
	return nil
}

// Int is an integer that may also arrive as a string of digits (Udesk questionnaire_id).
// Valid is false for null and absent fields.
type Int struct {
	Value int64
	Valid bool
}

func (i *Int) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	switch {
	case bytes.Equal(data, null):
		*i = Int{}
	case data[0] == '"':
		digits, err := Text(data)
		if err != nil {
			return err
		}
		if digits = strings.TrimSpace(digits); digits == "" {
			*i = Int{}
			return nil
		}
		v, err := strconv.ParseInt(digits, 10, 64)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(digits), Type: reflect.TypeOf(int64(0))}
		}
		*i = Int{Value: v, Valid: true}
	case isNumber(data):
		v, err := strconv.ParseInt(string(data), 10, 64) // the digits are not kept: no copy
		if err != nil {
			return &json.UnmarshalTypeError{Value: "number " + string(data), Type: reflect.TypeOf(int64(0))}
		}
		*i = Int{Value: v, Valid: true}
	default:
		return TypeError(data, int64(0))
	}
	return nil
}

// Time is a moment given as epoch milliseconds (a number or a string of digits) or as a
// date-time text, with or without a zone. It stays unresolved until In is called with the zone
// that texts without one are in.
type Time struct {
	millis int64
	// parsed is a date-time text read in UTC: its moment when it gives its zone (zoned), else
	// its wall clock, which In places in the zone it is given.
	parsed   time.Time
	fromText bool
	zoned    bool
	valid    bool
}

// layouts are the date-time texts the vendor documents show, tried in order; zoned are those
// that give the zone. Fractional seconds after the seconds field are accepted by every layout.
var layouts = []struct {
	layout string
	zoned  bool
}{
	{"2006-01-02 15:04:05 -0700", true}, // Udesk timestamp: 2019-07-24 15:23:17 +0800
	{time.RFC3339, true},                // Udesk *_at: 2019-07-24T15:23:14.000+08:00
	{"2006-01-02 15:04:05", false},      // Udesk call_start_at, 得助 date-times: no zone
	{"2006-01-02T15:04:05", false},      // the same in ISO form
	{"2006-01-02 15:04", false},         // Udesk note fields
}

func (t *Time) UnmarshalJSON(data []byte) error {
	data = bytes.TrimSpace(data)
	*t = Time{}
	switch {
	case bytes.Equal(data, null):
		return nil
	case isNumber(data):
		v, err := strconv.ParseInt(string(data), 10, 64)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "number " + string(data), Type: reflect.TypeOf(time.Time{})}
		}
		*t = Time{millis: v, valid: v != 0}
	case data[0] == '"':
		s, err := Text(data)
		if err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" || s == "0" {
			return nil
		}
		if isInteger(s) { // else ParseInt fails, at the cost of an error value
			if v, err := strconv.ParseInt(s, 10, 64); err == nil {
				*t = Time{millis: v, valid: v != 0} // "00", "+0" and "-0" are 0 too
				return nil
			}
		}
		v, zoned, err := parseText(s)
		if err != nil {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeOf(time.Time{})}
		}
		*t = Time{parsed: v, fromText: true, zoned: zoned, valid: true}
	default:
		return TypeError(data, time.Time{})
	}
	return nil
}

// IsZero reports whether the field was absent, null, empty or 0.
func (t Time) IsZero() bool { return !t.valid }

// In resolves the time; texts without a zone are read in loc, as time.ParseInLocation reads
// them: the wall clock in loc.
func (t Time) In(loc *time.Location) time.Time {
	switch {
	case !t.valid:
		return time.Time{}
	case !t.fromText:
		return time.UnixMilli(t.millis).UTC()
	case t.zoned:
		return t.parsed
	default:
		year, month, day := t.parsed.Date()
		hour, minute, sec := t.parsed.Clock()
		return time.Date(year, month, day, hour, minute, sec, t.parsed.Nanosecond(), loc).UTC()
	}
}

var errNoLayout = errors.New("not a date-time of the documents' layouts")

// parseText reads s, in UTC, with the first of layouts that reads it: which one does not depend
// on the zone, nor does the moment of a text that gives its zone.
func parseText(s string) (v time.Time, zoned bool, err error) {
	err = errNoLayout
	for _, l := range layouts {
		// Every layout begins with a date of fixed width, then ' ' or 'T': a text that differs
		// there cannot be read with it, and trying would cost an error value.
		if len(s) <= 10 || s[10] != l.layout[10] {
			continue
		}
		if v, err = time.ParseInLocation(l.layout, s, time.UTC); err == nil {
			return v.UTC(), l.zoned, nil
		}
	}
	return time.Time{}, false, err
}

// isInteger reports whether strconv.ParseInt could read s in base 10: a sign, then digits.
func isInteger(s string) bool {
	if s != "" && (s[0] == '+' || s[0] == '-') {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := range len(s) {
		if !isDigit(s[i]) {
			return false
		}
	}
	return true
}

// Text reads a JSON string as json.Unmarshal does. Most strings are their own bytes, between the
// quotes: no escapes, quotes or control characters, valid UTF-8; those are read without it.
func Text(data []byte) (string, error) {
	if n := len(data); n >= 2 && data[n-1] == '"' && verbatim(data[1:n-1]) {
		return string(data[1 : n-1]), nil
	}
	var s string
	err := json.Unmarshal(data, &s)
	return s, err
}

func verbatim(inner []byte) bool {
	for _, c := range inner {
		if c < 0x20 || c == '"' || c == '\\' {
			return false
		}
	}
	return utf8.Valid(inner)
}

// Unix converts Unix seconds, where 0 means "did not happen", to a time.
func Unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
