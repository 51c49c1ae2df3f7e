package flex

import (
	"bytes"
	"encoding/json"
	"unicode/utf8"
)

// The members of JSON that is known valid are split here without encoding/json's tokenizer,
// which was as costly as the rest of a push's decoding. Each function takes valid JSON only:
// Decode checks the whole value once with json.Valid, and reads anything else the slow way,
// warning where it breaks.

// EachMember calls each with the key and the raw value of every member of a valid JSON object,
// in order.
func EachMember(object []byte, each func(key string, value []byte)) {
	for m := newMembers(object); m.next(); {
		each(Unquote(m.key), m.value)
	}
}

// EachElement calls each with every element of a valid JSON array, in order.
func EachElement(array []byte, each func(value []byte)) {
	for e := newElements(array); e.next(); {
		each(e.value)
	}
}

// members steps through the members of a valid JSON object, without a callback or an
// allocation: key is the member's key as quoted in the JSON, value its raw value.
type members struct {
	object     []byte
	i          int
	key, value []byte
}

func newMembers(object []byte) members {
	return members{object: object, i: skipSpace(object, 1)} // after '{'
}

func (m *members) next() bool {
	if m.object[m.i] == '}' {
		return false
	}
	end := skipString(m.object, m.i)
	m.key = m.object[m.i:end]
	i := skipSpace(m.object, skipSpace(m.object, end)+1) // after ':'
	end = skipValue(m.object, i)
	m.value = m.object[i:end]
	m.i = skipSpace(m.object, end)
	if m.object[m.i] == ',' {
		m.i = skipSpace(m.object, m.i+1)
	}
	return true
}

// elements steps through the elements of a valid JSON array.
type elements struct {
	array []byte
	i     int
	value []byte
}

func newElements(array []byte) elements {
	return elements{array: array, i: skipSpace(array, 1)} // after '['
}

func (e *elements) next() bool {
	if e.array[e.i] == ']' {
		return false
	}
	end := skipValue(e.array, e.i)
	e.value = e.array[e.i:end]
	e.i = skipSpace(e.array, end)
	if e.array[e.i] == ',' {
		e.i = skipSpace(e.array, e.i+1)
	}
	return true
}

// keyText is the text of a valid JSON string as Unquote reads it, as bytes: most keys are their
// own bytes, and are not copied.
func keyText(quoted []byte) []byte {
	if inner := quoted[1 : len(quoted)-1]; unescaped(inner) {
		return inner
	}
	return []byte(Unquote(quoted))
}

// unescaped reports whether the inside of a JSON string is its text: no escapes, valid UTF-8.
func unescaped(inner []byte) bool {
	return bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner)
}

// Unquote is the text of a valid JSON string as encoding/json reads it; most strings have no
// escapes and are valid UTF-8, and are their own bytes.
func Unquote(quoted []byte) string {
	if inner := quoted[1 : len(quoted)-1]; unescaped(inner) {
		return string(inner)
	}
	var s string
	_ = json.Unmarshal(quoted, &s) // escapes, or invalid UTF-8 that encoding/json replaces
	return s
}

func skipSpace(data []byte, i int) int {
	for i < len(data) && (data[i] == ' ' || data[i] == '\t' || data[i] == '\n' || data[i] == '\r') {
		i++
	}
	return i
}

// skipString returns the index after the string starting at data[i].
func skipString(data []byte, i int) int {
	for i++; data[i] != '"'; i++ {
		if data[i] == '\\' {
			i++ // the escaped character, a quote among them
		}
	}
	return i + 1
}

// skipValue returns the index after the value starting at data[i].
func skipValue(data []byte, i int) int {
	switch data[i] {
	case '"':
		return skipString(data, i)
	case '{', '[':
		depth := 0
		for ; ; i++ {
			switch data[i] {
			case '"':
				i = skipString(data, i) - 1
			case '{', '[':
				depth++
			case '}', ']':
				if depth--; depth == 0 {
					return i + 1
				}
			}
		}
	default: // a number, true, false or null
		for i < len(data) && !isDelimiter(data[i]) {
			i++
		}
		return i
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ',', '}', ']', ' ', '\t', '\n', '\r':
		return true
	}
	return false
}
