package npy

import (
	"fmt"
	"math"
	"strconv"
	"strings"

	"github.com/focalgo/focal/cmd/focal/internal/quote"
)

// header is the dictionary of an .npy header (NEP 1): the dtype
// description, the element order and the shape.
type header struct {
	// descr is the dtype description as written: a string such as "<f4"
	// or, for a structured dtype, the text of its list.
	descr   string
	fortran bool
	shape   []int
}

// parseHeader parses the header dictionary, a Python literal such as
//
//	{'descr': '<f4', 'fortran_order': False, 'shape': (3, 4), }
//
// with exactly the keys descr, fortran_order and shape, in any order. It
// reads the subset of Python that NumPy writes (strings, True, False,
// integers, tuples and lists), never panics, and says where the text went
// wrong.
func parseHeader(text string) (header, error) {
	p := &literal{s: text}
	var h header
	seen := map[string]bool{}
	p.space()
	if !p.eat('{') {
		return h, p.errorf("want a dictionary {…}")
	}
	for {
		p.space()
		if p.eat('}') {
			break
		}
		kpos := p.pos
		k, err := p.value()
		if err != nil {
			return h, err
		}
		key, ok := k.(string)
		if !ok {
			return h, p.errorAt(kpos, "a key is not a string")
		}
		if seen[key] {
			return h, p.errorAt(kpos, "key %s given twice", quote.Clip(key))
		}
		seen[key] = true
		p.space()
		if !p.eat(':') {
			return h, p.errorf("want ':' after the key %s", quote.Clip(key))
		}
		p.space()
		vpos := p.pos
		v, err := p.value()
		if err != nil {
			return h, err
		}
		switch key {
		case "descr":
			if s, ok := v.(string); ok {
				h.descr = s
			} else {
				h.descr = strings.TrimSpace(p.s[vpos:p.pos])
			}
		case "fortran_order":
			b, ok := v.(bool)
			if !ok {
				return h, p.errorAt(vpos, "fortran_order is %s, want True or False", quote.Clip(p.s[vpos:p.pos]))
			}
			h.fortran = b
		case "shape":
			if h.shape, err = shapeOf(v); err != nil {
				return h, p.errorAt(vpos, "shape %s: %v", quote.Clip(p.s[vpos:p.pos]), err)
			}
		default:
			return h, p.errorAt(kpos, "unknown key %s (want descr, fortran_order and shape)", quote.Clip(key))
		}
		p.space()
		if p.eat(',') {
			continue
		}
		p.space()
		if p.eat('}') {
			break
		}
		return h, p.errorf("want ',' or '}' after the value of %s", quote.Clip(key))
	}
	if p.space(); p.pos != len(p.s) {
		return h, p.errorf("text after the dictionary")
	}
	for _, k := range []string{"descr", "fortran_order", "shape"} {
		if !seen[k] {
			return h, fmt.Errorf("header: no %s key", k)
		}
	}
	return h, nil
}

// maxElems bounds the number of elements of a shape: beyond it the product
// of the dimensions could overflow, and no real file is that large. On
// 32-bit platforms the bound is what an int can index.
const maxElems = min(1<<40, math.MaxInt)

// shapeOf checks a parsed shape: a tuple of integers ≥ 0 whose product is
// at most maxElems.
func shapeOf(v any) ([]int, error) {
	t, ok := v.(tuple)
	if !ok {
		return nil, fmt.Errorf("want a tuple of integers")
	}
	shape := make([]int, 0, len(t))
	n := 1
	for _, e := range t {
		d, ok := e.(int)
		switch {
		case !ok:
			return nil, fmt.Errorf("want a tuple of integers")
		case d < 0:
			return nil, fmt.Errorf("negative dimension %d", d)
		case d > 0 && n > maxElems/d:
			return nil, fmt.Errorf("more than %d elements", maxElems)
		}
		n *= d
		shape = append(shape, d)
	}
	return shape, nil
}

// tuple is a parsed Python tuple; a list parses as a list.
type tuple []any
type list []any

// literal is a cursor over the text of a Python literal.
type literal struct {
	s   string
	pos int
}

func (p *literal) errorf(format string, args ...any) error {
	return p.errorAt(p.pos, format, args...)
}

// errorAt reports a problem at byte pos of the header, quoting the text
// there so that the user can find it.
func (p *literal) errorAt(pos int, format string, args ...any) error {
	at := "the end"
	if pos < len(p.s) {
		at = quote.Clip(strings.TrimRight(p.s[pos:min(len(p.s), pos+20)], " \n"))
	}
	return fmt.Errorf("header: %s (at byte %d: %s)", fmt.Sprintf(format, args...), pos, at)
}

func (p *literal) space() {
	for p.pos < len(p.s) && strings.IndexByte(" \t\r\n", p.s[p.pos]) >= 0 {
		p.pos++
	}
}

func (p *literal) eat(c byte) bool {
	if p.pos < len(p.s) && p.s[p.pos] == c {
		p.pos++
		return true
	}
	return false
}

// maxDepth bounds the nesting of tuples and lists, so that a header of
// 100000 '(' cannot exhaust the stack.
const maxDepth = 32

// value parses one value: a string, True, False, None, an integer, or a
// tuple or list of values.
func (p *literal) value() (any, error) {
	return p.valueDepth(0)
}

func (p *literal) valueDepth(depth int) (any, error) {
	p.space()
	if p.pos >= len(p.s) {
		return nil, p.errorf("want a value")
	}
	switch c := p.s[p.pos]; {
	case c == '\'' || c == '"':
		return p.str()
	case c == '(' || c == '[':
		if depth == maxDepth {
			return nil, p.errorf("nested more than %d deep", maxDepth)
		}
		closing := byte(')')
		if c == '[' {
			closing = ']'
		}
		p.pos++
		var items []any
		for {
			p.space()
			if p.eat(closing) {
				break
			}
			v, err := p.valueDepth(depth + 1)
			if err != nil {
				return nil, err
			}
			items = append(items, v)
			p.space()
			if p.eat(',') {
				continue
			}
			if p.eat(closing) {
				break
			}
			return nil, p.errorf("want ',' or '%c'", closing)
		}
		if c == '[' {
			return list(items), nil
		}
		return tuple(items), nil
	case c == '-' || c == '+' || (c >= '0' && c <= '9'):
		start := p.pos
		p.pos++
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		digits := p.s[start:p.pos]
		p.eat('L') // Python 2 wrote long integers as 3L
		n, err := strconv.Atoi(digits)
		if err != nil {
			if ne, ok := err.(*strconv.NumError); ok && ne.Err == strconv.ErrRange {
				return nil, p.errorAt(start, "integer %s is too large", quote.Clip(digits))
			}
			return nil, p.errorAt(start, "want a number")
		}
		return n, nil
	default:
		start := p.pos
		for p.pos < len(p.s) && isNameByte(p.s[p.pos]) {
			p.pos++
		}
		switch p.s[start:p.pos] {
		case "True":
			return true, nil
		case "False":
			return false, nil
		case "None":
			return nil, nil
		}
		p.pos = start
		return nil, p.errorf("want a string, a number, True, False, a tuple or a list")
	}
}

func isNameByte(c byte) bool {
	return c == '_' || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9')
}

// str parses a quoted string. NumPy's keys and dtype descriptions have no
// escapes worth decoding: a backslash keeps the next byte as it is.
func (p *literal) str() (string, error) {
	q := p.s[p.pos]
	start := p.pos
	p.pos++
	var b strings.Builder
	for p.pos < len(p.s) {
		c := p.s[p.pos]
		p.pos++
		switch {
		case c == q:
			return b.String(), nil
		case c == '\\' && p.pos < len(p.s):
			b.WriteByte(p.s[p.pos])
			p.pos++
		default:
			b.WriteByte(c)
		}
	}
	return "", p.errorAt(start, "unterminated string")
}
