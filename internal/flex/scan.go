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
	i := skipSpace(object, 1) // after '{'
	for object[i] != '}' {
		end := skipString(object, i)
		key := Unquote(object[i:end])
		i = skipSpace(object, end) + 1 // after ':'
		i = skipSpace(object, i)
		end = skipValue(object, i)
		each(key, object[i:end])
		i = skipSpace(object, end)
		if object[i] == ',' {
			i = skipSpace(object, i+1)
		}
	}
}

// EachElement calls each with every element of a valid JSON array, in order.
func EachElement(array []byte, each func(value []byte)) {
	i := skipSpace(array, 1) // after '['
	for array[i] != ']' {
		end := skipValue(array, i)
		each(array[i:end])
		i = skipSpace(array, end)
		if array[i] == ',' {
			i = skipSpace(array, i+1)
		}
	}
}

// Unquote is the text of a valid JSON string as encoding/json reads it; most strings have no
// escapes and are valid UTF-8, and are their own bytes.
func Unquote(quoted []byte) string {
	inner := quoted[1 : len(quoted)-1]
	if bytes.IndexByte(inner, '\\') < 0 && utf8.Valid(inner) {
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
