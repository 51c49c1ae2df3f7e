package platform

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"

	"github.com/otelcallcenter/callcenterreceiver/internal/flex"
)

// ErrEmptyBody is returned for a push without a body.
var ErrEmptyBody = errors.New("empty body: a JSON object is expected")

// Decode reads one push: the envelope strictly, the fields leniently. The body must be one JSON
// object, else the error says why (the pusher's fault: a retry cannot fix it either, but nothing
// in such a body can be read). Its fields are read into v with flex.Decode: a field that cannot be
// read is left zero and named in warnings, and stays as sent in payload, the body whole.
func Decode(body []byte, v any) (payload pcommon.Map, warnings []string, err error) {
	if payload, err = Payload(body); err != nil {
		return pcommon.Map{}, nil, err
	}
	return payload, flex.DecodeValid(body, v), nil // Payload read it: it is valid JSON
}

// jsonSpace is the whitespace JSON allows around a value; bytes.TrimSpace also trims Unicode's.
const jsonSpace = " \t\n\r"

// Payload reads a JSON object into the map that becomes its log record's body (flex.Body).
func Payload(body []byte) (pcommon.Map, error) {
	body = bytes.Trim(body, jsonSpace) // JSON's own whitespace: "{}\v" is no JSON
	if len(body) == 0 {
		return pcommon.Map{}, ErrEmptyBody
	}
	if body[0] != '{' {
		return pcommon.Map{}, errors.New("the body is not a JSON object")
	}
	if m, ok := flex.Body(body); ok {
		return m, nil
	}
	if _, err := Value(body); err != nil {
		return pcommon.Map{}, err // encoding/json says where and why
	}
	return pcommon.Map{}, errors.New("invalid JSON") // not reached: flex.Body reads all valid JSON
}

// Value decodes one JSON value into plain Go values: integers as int64, other numbers as
// float64 (numbers too large for either stay as their text). Data after the value is an error.
func Value(data []byte) (any, error) {
	if json.Valid(data) {
		return value(bytes.TrimSpace(data)), nil
	}
	// Invalid: encoding/json says where and why.
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

// value reads valid JSON into plain Go values as encoding/json with UseNumber and Normalize
// would, with flex's scanner: encoding/json's own decoding into interfaces was half of the
// cost of decoding a push, which is also read into its typed struct.
func value(raw []byte) any {
	switch raw[0] {
	case '{':
		m := map[string]any{}
		flex.EachMember(raw, func(key string, member []byte) { m[key] = value(member) })
		return m
	case '[':
		list := []any{}
		flex.EachElement(raw, func(e []byte) { list = append(list, value(e)) })
		return list
	case '"':
		return flex.Unquote(raw)
	case 't':
		return true
	case 'f':
		return false
	case 'n':
		return nil
	default:
		return Normalize(json.Number(raw))
	}
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
	var syntaxErr *json.SyntaxError
	switch {
	case errors.As(err, &syntaxErr):
		return fmt.Errorf("invalid JSON at byte %d: %s", syntaxErr.Offset, syntaxErr.Error())
	case errors.Is(err, io.ErrUnexpectedEOF), errors.Is(err, io.EOF):
		return errors.New("invalid JSON: the body ends before the object does")
	default:
		return fmt.Errorf("invalid JSON: %s", strings.TrimPrefix(err.Error(), "json: "))
	}
}
