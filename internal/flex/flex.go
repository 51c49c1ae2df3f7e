// Package flex holds JSON scalar types for fields that vendor documents show in more than one
// form: a number in one sample and a string in another, epoch milliseconds or a date-time text.
// Each accepts exactly the forms the documents show and null; anything else is a type error
// that names the field. Decode reads a whole push with them and turns such errors into warnings.
package flex

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"time"
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
		var v string
		if err := json.Unmarshal(data, &v); err != nil {
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
	if bytes.Equal(data, null) {
		*i = Int{}
		return nil
	}
	text, kind := string(data), "number "
	if data[0] == '"' {
		if err := json.Unmarshal(data, &text); err != nil {
			return err
		}
		text, kind = strings.TrimSpace(text), "string "
		if text == "" {
			*i = Int{}
			return nil
		}
	} else if !isNumber(data) {
		return TypeError(data, int64(0))
	}
	v, err := strconv.ParseInt(text, 10, 64)
	if err != nil {
		if kind == "string " {
			text = strconv.Quote(text)
		}
		return &json.UnmarshalTypeError{Value: kind + text, Type: reflect.TypeOf(int64(0))}
	}
	*i = Int{Value: v, Valid: true}
	return nil
}

// Time is a moment given as epoch milliseconds (a number or a string of digits) or as a
// date-time text, with or without a zone. It stays unresolved until In is called with the zone
// that texts without one are in.
type Time struct {
	millis int64
	text   string
	valid  bool
}

// layouts are the date-time texts the vendor documents show. Fractional seconds after the
// seconds field are accepted by every layout.
var layouts = []string{
	"2006-01-02 15:04:05 -0700", // Udesk timestamp: 2019-07-24 15:23:17 +0800
	time.RFC3339,                // Udesk *_at: 2019-07-24T15:23:14.000+08:00
	"2006-01-02 15:04:05",       // Udesk call_start_at, 得助 date-times: no zone
	"2006-01-02T15:04:05",       // the same in ISO form
	"2006-01-02 15:04",          // Udesk note fields
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
		var s string
		if err := json.Unmarshal(data, &s); err != nil {
			return err
		}
		s = strings.TrimSpace(s)
		if s == "" || s == "0" {
			return nil
		}
		if v, err := strconv.ParseInt(s, 10, 64); err == nil {
			*t = Time{millis: v, valid: v != 0} // "00", "+0" and "-0" are 0 too
			return nil
		}
		if _, err := parseText(s, time.UTC); err != nil {
			return &json.UnmarshalTypeError{Value: "string " + strconv.Quote(s), Type: reflect.TypeOf(time.Time{})}
		}
		*t = Time{text: s, valid: true}
	default:
		return TypeError(data, time.Time{})
	}
	return nil
}

// IsZero reports whether the field was absent, null, empty or 0.
func (t Time) IsZero() bool { return !t.valid }

// In resolves the time; texts without a zone are read in loc.
func (t Time) In(loc *time.Location) time.Time {
	switch {
	case !t.valid:
		return time.Time{}
	case t.text == "":
		return time.UnixMilli(t.millis).UTC()
	default:
		v, _ := parseText(t.text, loc) // validated when decoded
		return v.UTC()
	}
}

func parseText(s string, loc *time.Location) (time.Time, error) {
	var firstErr error
	for _, layout := range layouts {
		v, err := time.ParseInLocation(layout, s, loc)
		if err == nil {
			return v, nil
		}
		if firstErr == nil {
			firstErr = err
		}
	}
	return time.Time{}, firstErr
}

// Unix converts Unix seconds, where 0 means "did not happen", to a time.
func Unix(sec int64) time.Time {
	if sec <= 0 {
		return time.Time{}
	}
	return time.Unix(sec, 0).UTC()
}
