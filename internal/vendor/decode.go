package vendor

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"
)

// ErrEmptyBody is returned for a push without a body.
var ErrEmptyBody = errors.New("empty body: a JSON object is expected")

// Unmarshal decodes one JSON object into v and turns encoding/json's errors into messages that
// name the field and say what was expected, in the vendor's own field names.
func Unmarshal(body []byte, v any) error {
	body = bytes.TrimSpace(body)
	if len(body) == 0 {
		return ErrEmptyBody
	}
	if body[0] != '{' {
		return errors.New("the body is not a JSON object")
	}
	dec := json.NewDecoder(bytes.NewReader(body))
	if err := dec.Decode(v); err != nil {
		return describe(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return errors.New("invalid JSON: data after the top-level object")
	}
	return nil
}

// Payload decodes a JSON object into plain Go values for the log body, as Value does.
func Payload(body []byte) (map[string]any, error) {
	v, err := Value(body)
	if err != nil {
		return nil, err
	}
	m, ok := v.(map[string]any)
	if !ok {
		return nil, errors.New("the body is not a JSON object")
	}
	return m, nil
}

// Value decodes one JSON value into plain Go values: integers as int64, other numbers as
// float64 (numbers too large for either stay as their text). Data after the value is an error.
func Value(data []byte) (any, error) {
	dec := json.NewDecoder(bytes.NewReader(data))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, describe(err)
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, errors.New("invalid JSON: data after the value")
	}
	return Normalize(v), nil
}

// Normalize turns the json.Numbers of a value decoded with UseNumber into int64 or float64
// (numbers too large for either stay as their text), in place where it can.
func Normalize(v any) any {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			t[k] = Normalize(e)
		}
		return t
	case []any:
		for i, e := range t {
			t[i] = Normalize(e)
		}
		return t
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, err := strconv.ParseFloat(t.String(), 64); err == nil {
			return f
		}
		return t.String()
	default:
		return v
	}
}

func describe(err error) error {
	var typeErr *json.UnmarshalTypeError
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &typeErr):
		field := typeErr.Field
		if field == "" {
			field = "the body"
		}
		return fmt.Errorf("field %s: expected %s, got %s", field, expected(typeErr.Type.String()), typeErr.Value)
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("invalid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("invalid JSON: the body ends before the object does")
	default:
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}

// expected names a Go type the way a vendor document would.
func expected(goType string) string {
	switch {
	case strings.HasPrefix(goType, "int"), strings.HasPrefix(goType, "uint"), goType == "flex.Int":
		return "an integer"
	case strings.HasPrefix(goType, "float"):
		return "a number"
	case goType == "string", goType == "flex.String":
		return "a string"
	case goType == "bool":
		return "true or false"
	case goType == "time.Time", goType == "flex.Time":
		return "a time (epoch milliseconds or a date-time)"
	case strings.HasPrefix(goType, "[]"):
		return "an array"
	default:
		return "an object"
	}
}
