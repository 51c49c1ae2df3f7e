package flex

import (
	"strconv"
	"strings"

	"go.opentelemetry.io/collector/pdata/pcommon"
)

// Body reads a JSON object, the whole of data, into a new map for a log record's body: strings,
// bools, integers as ints, other numbers as doubles (numbers too large for either as their
// text), objects and arrays as maps and slices, null as an empty value; of duplicate keys the
// last wins. It returns false, and no map, when data is not valid JSON as json.Valid says, or
// not an object.
//
// It builds pdata directly: a push's body decoded into plain Go values and then converted was
// most of the allocations of its decoding and of its log record. Its strings share one copy of
// data.
func Body(data []byte) (pcommon.Map, bool) {
	var sizes sizes
	i := skipSpace(data, 0)
	if !check(data, &sizes) || data[i] != '{' {
		return pcommon.Map{}, false
	}
	m := pcommon.NewMap()
	r := reader{data: data, text: string(data), sizes: sizes}
	r.object(i, m)
	return m, true
}

// sizes are the numbers of members and elements of a body's objects and arrays, in the order
// they open, so that each is allocated at its size. A usual push's fit in first.
type sizes struct {
	first [32]int
	more  []int
	n     int
}

// open adds an object or array, of size 0 until set, and returns its place.
func (s *sizes) open() int {
	if s.n >= len(s.first) {
		s.more = append(s.more, 0)
	}
	s.n++
	return s.n - 1
}

func (s *sizes) set(k, size int) {
	if k < len(s.first) {
		s.first[k] = size
	} else {
		s.more[k-len(s.first)] = size
	}
}

func (s *sizes) at(k int) int {
	if k < len(s.first) {
		return s.first[k]
	}
	return s.more[k-len(s.first)]
}

// reader builds pdata from valid JSON, with the sizes check found.
type reader struct {
	data []byte
	// text is data as a string: keys and strings without escapes are slices of it.
	text string
	// sizes is a copy, not a pointer: escape analysis does not tell a struct's fields apart,
	// and with text, which the map keeps, a pointer here would make sizes an allocation.
	sizes sizes
	next  int // the place in sizes of the next object or array
}

// manyMembers is the most members an object is built with directly: pcommon.Map's puts look for
// the key first, which costs n² for n members, and beyond a few hundred more than building a
// plain map that FromRaw converts without looking (a hostile body may hold a million).
const manyMembers = 256

func (r *reader) object(i int, m pcommon.Map) int {
	if r.sizes.at(r.next) > manyMembers {
		raw, end := r.asRaw(i)
		_ = m.FromRaw(raw.(map[string]any)) // plain values of JSON always convert
		return end
	}
	m.EnsureCapacity(r.sizes.at(r.next))
	r.next++
	return r.eachMember(i, func(key string, i int) int { return r.value(i, m.PutEmpty(key)) })
}

func (r *reader) array(i int, s pcommon.Slice) int {
	s.EnsureCapacity(r.sizes.at(r.next))
	r.next++
	return r.eachElement(i, func(i int) int { return r.value(i, s.AppendEmpty()) })
}

// asRaw reads the value at data[i] into the plain Go values pcommon's FromRaw takes, as they
// would be built, and returns the index after it.
func (r *reader) asRaw(i int) (any, int) {
	switch r.data[i] {
	case '{':
		m := make(map[string]any, r.sizes.at(r.next))
		r.next++
		end := r.eachMember(i, func(key string, i int) int {
			var end int
			m[key], end = r.asRaw(i)
			return end
		})
		return m, end
	case '[':
		list := make([]any, 0, r.sizes.at(r.next))
		r.next++
		end := r.eachElement(i, func(i int) int {
			v, end := r.asRaw(i)
			list = append(list, v)
			return end
		})
		return list, end
	default:
		v := pcommon.NewValueEmpty()
		end := r.value(i, v)
		return v.AsRaw(), end
	}
}

// eachMember calls read with the key and the index of the value of each member of the object at
// data[i]; read returns the index after the value. eachMember returns the index after the
// object. (scan.go's members cannot: they skip a value to find its end, then reading it would
// walk it again, for every object it is in.)
func (r *reader) eachMember(i int, read func(key string, i int) int) int {
	i = skipSpace(r.data, i+1) // after '{'
	for r.data[i] != '}' {
		end := skipString(r.data, i)
		key := r.str(i, end)
		i = skipSpace(r.data, skipSpace(r.data, end)+1) // after ':'
		i = skipSpace(r.data, read(key, i))
		if r.data[i] == ',' {
			i = skipSpace(r.data, i+1)
		}
	}
	return i + 1
}

// eachElement calls read with the index of each element of the array at data[i], as eachMember
// does.
func (r *reader) eachElement(i int, read func(i int) int) int {
	i = skipSpace(r.data, i+1) // after '['
	for r.data[i] != ']' {
		i = skipSpace(r.data, read(i))
		if r.data[i] == ',' {
			i = skipSpace(r.data, i+1)
		}
	}
	return i + 1
}

// value reads the value at data[i] into v and returns the index after it.
func (r *reader) value(i int, v pcommon.Value) int {
	switch r.data[i] {
	case '{':
		return r.object(i, v.SetEmptyMap())
	case '[':
		return r.array(i, v.SetEmptySlice())
	case '"':
		end := skipString(r.data, i)
		v.SetStr(r.str(i, end))
		return end
	case 't':
		v.SetBool(true)
		return i + len("true")
	case 'f':
		v.SetBool(false)
		return i + len("false")
	case 'n':
		return i + len("null") // null stays empty
	default:
		end := skipValue(r.data, i)
		setNumber(v, r.text[i:end])
		return end
	}
}

// str is the text of the string data[i:end], as Unquote reads it.
func (r *reader) str(i, end int) string {
	if unescaped(r.data[i+1 : end-1]) {
		return r.text[i+1 : end-1]
	}
	return Unquote(r.data[i:end])
}

// setNumber sets a JSON number as encoding/json's Number reads it: an int when Int64 can
// read it, else a double when Float64 can, else its text.
func setNumber(v pcommon.Value, n string) {
	if !strings.ContainsAny(n, ".eE") { // a fraction or an exponent is never an int64
		if i, err := strconv.ParseInt(n, 10, 64); err == nil {
			v.SetInt(i)
			return
		}
	}
	if f, err := strconv.ParseFloat(n, 64); err == nil {
		v.SetDouble(f)
		return
	}
	v.SetStr(n)
}

// maxDepth is encoding/json's limit on nesting: deeper JSON is not valid for it.
const maxDepth = 10000

// check reports whether data is valid JSON, as json.Valid does, in one pass, and finds the
// sizes of its objects and arrays.
func check(data []byte, sizes *sizes) bool {
	c := checker{data: data, sizes: sizes}
	i, ok := c.value(skipSpace(data, 0), 0)
	return ok && skipSpace(data, i) == len(data)
}

type checker struct {
	data  []byte
	sizes *sizes
}

// value checks the value at data[i], inside depth objects and arrays, and returns the index
// after it.
func (c *checker) value(i, depth int) (int, bool) {
	if i >= len(c.data) {
		return i, false
	}
	switch b := c.data[i]; {
	case b == '{' || b == '[':
		return c.container(i, depth+1)
	case b == '"':
		return c.str(i)
	case b == '-' || ('0' <= b && b <= '9'):
		return c.number(i)
	case b == 't':
		return c.literal(i, "true")
	case b == 'f':
		return c.literal(i, "false")
	case b == 'n':
		return c.literal(i, "null")
	default:
		return i, false
	}
}

// container checks the object or array at data[i], the depth-th one open.
func (c *checker) container(i, depth int) (int, bool) {
	if depth > maxDepth {
		return i, false
	}
	closing := byte(']')
	if c.data[i] == '{' {
		closing = '}'
	}
	k := c.sizes.open()
	i = skipSpace(c.data, i+1)
	if i < len(c.data) && c.data[i] == closing {
		return i + 1, true
	}
	for n := 1; ; n++ {
		var ok bool
		if closing == '}' {
			if i >= len(c.data) || c.data[i] != '"' {
				return i, false
			}
			if i, ok = c.str(i); !ok {
				return i, false
			}
			if i = skipSpace(c.data, i); i >= len(c.data) || c.data[i] != ':' {
				return i, false
			}
			i = skipSpace(c.data, i+1)
		}
		if i, ok = c.value(i, depth); !ok {
			return i, false
		}
		if i = skipSpace(c.data, i); i >= len(c.data) {
			return i, false
		}
		switch c.data[i] {
		case ',':
			i = skipSpace(c.data, i+1)
		case closing:
			c.sizes.set(k, n)
			return i + 1, true
		default:
			return i, false
		}
	}
}

// str checks the string at data[i]: no control characters, only JSON's escapes. Invalid
// UTF-8 is valid JSON; reading it replaces it.
func (c *checker) str(i int) (int, bool) {
	for i++; i < len(c.data); i++ {
		switch b := c.data[i]; {
		case b == '"':
			return i + 1, true
		case b < 0x20:
			return i, false
		case b == '\\':
			if i++; i >= len(c.data) {
				return i, false
			}
			switch c.data[i] {
			case '"', '\\', '/', 'b', 'f', 'n', 'r', 't':
			case 'u':
				if i+4 >= len(c.data) || !isHex(c.data[i+1]) || !isHex(c.data[i+2]) || !isHex(c.data[i+3]) || !isHex(c.data[i+4]) {
					return i, false
				}
				i += 4
			default:
				return i, false
			}
		}
	}
	return i, false
}

// number checks the number at data[i]: -?(0|[1-9][0-9]*)(\.[0-9]+)?([eE][+-]?[0-9]+)?
func (c *checker) number(i int) (int, bool) {
	if c.data[i] == '-' {
		i++
	}
	switch {
	case i < len(c.data) && c.data[i] == '0':
		i++
	case i < len(c.data) && '1' <= c.data[i] && c.data[i] <= '9':
		i = c.digits(i)
	default:
		return i, false
	}
	if i < len(c.data) && c.data[i] == '.' {
		if i++; i >= len(c.data) || !isDigit(c.data[i]) {
			return i, false
		}
		i = c.digits(i)
	}
	if i < len(c.data) && (c.data[i] == 'e' || c.data[i] == 'E') {
		if i++; i < len(c.data) && (c.data[i] == '+' || c.data[i] == '-') {
			i++
		}
		if i >= len(c.data) || !isDigit(c.data[i]) {
			return i, false
		}
		i = c.digits(i)
	}
	return i, true
}

func (c *checker) digits(i int) int {
	for i < len(c.data) && isDigit(c.data[i]) {
		i++
	}
	return i
}

func (c *checker) literal(i int, word string) (int, bool) {
	if string(c.data[i:min(i+len(word), len(c.data))]) != word {
		return i, false
	}
	return i + len(word), true
}

func isDigit(b byte) bool { return '0' <= b && b <= '9' }

func isHex(b byte) bool {
	return isDigit(b) || ('a' <= b && b <= 'f') || ('A' <= b && b <= 'F')
}
