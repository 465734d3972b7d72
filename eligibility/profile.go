package eligibility

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// MaxProfileBytes is the largest profile DecodeProfile reads; a real profile
// is a few hundred bytes.
const MaxProfileBytes = 1 << 20

// maxMoneyYuan bounds money fields (1000万亿元): far above any enterprise,
// and low enough that every computation stays exact in int64.
const maxMoneyYuan = 1e15

// Titles recognised in first_recognitions by the built-in notice, in its
// order (the table's titles say so; these names serve the tests and the
// callers that name one).
const (
	TitleProvincialZJTX      = "provincial_zjtx"
	TitleLittleGiant         = "little_giant"
	TitleSingleChampion      = "single_champion"
	TitleNationalLittleGiant = "national_little_giant"
)

// Checks are how a profile field is validated and what it holds.
const (
	CheckBool   = "bool"   // true or false
	CheckMoney  = "money"  // yuan, ≥ 0
	CheckRate   = "rate"   // percent, 0–100
	CheckGrowth = "growth" // percent, ≥ −100
	CheckCount  = "count"  // a whole number ≥ 0
	CheckTitles = "titles" // a list of {title, year}
)

// Field declares one field of the profile: its JSON path (a dot for a
// field inside an object: output_growth_pct.mar), how it is checked, and
// how a report names it. A rules table declares the fields its rules read,
// so a new notice's profile needs no Go type.
type Field struct {
	Name  string `json:"name"`
	Check string `json:"check"`
	Label string `json:"label"`
}

// Profile is an enterprise profile (awards.md): values by field path. Every
// field is optional: a missing one means "no" or "not known" and can only
// remove awards. Which fields exist and how they are checked is the rules
// tables' (Field); DecodeProfile holds a profile to them.
type Profile struct {
	v map[string]any // bool, float64, int or []Recognition
}

// has reports whether a field is given at all (a list, when not empty).
func (p Profile) has(path string) bool {
	switch x := p.v[path].(type) {
	case nil:
		return false
	case []Recognition:
		return len(x) > 0
	}
	return true
}

// number returns a numeric field; ok is false when it is not given.
func (p Profile) number(path string) (float64, bool) {
	switch x := p.v[path].(type) {
	case float64:
		return x, true
	case int:
		return float64(x), true
	}
	return 0, false
}

// flag returns a yes/no field; known is false when not given.
func (p Profile) flag(path string) (val, known bool) {
	b, ok := p.v[path].(bool)
	return b, ok
}

// titles returns a list of recognitions.
func (p Profile) titles(path string) []Recognition {
	r, _ := p.v[path].([]Recognition)
	return r
}

// Value returns the value of a field (bool, float64, int or
// []Recognition), and whether it is given.
func (p Profile) Value(path string) (any, bool) {
	v, ok := p.v[path]
	return v, ok
}

// with returns a copy of p with path set to v (nil removes it).
func (p Profile) with(path string, v any) Profile {
	out := Profile{v: make(map[string]any, len(p.v)+1)}
	for k, x := range p.v {
		out.v[k] = x
	}
	if v == nil {
		delete(out.v, path)
	} else {
		out.v[path] = v
	}
	return out
}

// MarshalJSON writes the profile as the JSON object of awards.md, fields
// with a dot inside their objects.
func (p Profile) MarshalJSON() ([]byte, error) {
	root := map[string]any{}
	for path, v := range p.v {
		m := root
		parts := strings.Split(path, ".")
		for _, part := range parts[:len(parts)-1] {
			sub, ok := m[part].(map[string]any)
			if !ok {
				sub = map[string]any{}
				m[part] = sub
			}
			m = sub
		}
		m[parts[len(parts)-1]] = v
	}
	return json.Marshal(root) // encoding/json sorts keys: stable output
}

// UnmarshalJSON reads a profile the engine stored (Answers); it trusts the
// shape, since DecodeProfile checked what came from outside.
func (p *Profile) UnmarshalJSON(b []byte) error {
	var root map[string]json.RawMessage
	if err := json.Unmarshal(b, &root); err != nil {
		return err
	}
	p.v = map[string]any{}
	var walk func(prefix string, m map[string]json.RawMessage) error
	walk = func(prefix string, m map[string]json.RawMessage) error {
		for k, raw := range m {
			path := join(prefix, k)
			t := bytes.TrimSpace(raw)
			switch {
			case len(t) == 0 || string(t) == "null":
			case t[0] == '{':
				var sub map[string]json.RawMessage
				if err := json.Unmarshal(t, &sub); err != nil {
					return err
				}
				if err := walk(path, sub); err != nil {
					return err
				}
			case t[0] == '[':
				var recs []Recognition
				if err := json.Unmarshal(t, &recs); err != nil {
					return err
				}
				p.v[path] = recs
			case string(t) == "true" || string(t) == "false":
				p.v[path] = string(t) == "true"
			default:
				f, err := strconv.ParseFloat(string(t), 64)
				if err != nil {
					return fmt.Errorf("profile field %s: %w", path, err)
				}
				p.v[path] = f
			}
		}
		return nil
	}
	return walk("", root)
}

// Recognition is a title first recognised (首次认定) in a year. Year 0 means
// the year is not known.
type Recognition struct {
	Title string `json:"title"`
	Year  int    `json:"year,omitempty"`
}

// ProfileError is a profile refused as a whole: the field and what was wrong,
// in one line of Chinese an operator can act on.
type ProfileError struct {
	Field string // JSON path of the field, e.g. first_recognitions[0].year; empty for the whole input
	Msg   string // what was wrong, in Chinese
	Got   string // the offending value, shortened; may be empty
}

func (e *ProfileError) Error() string {
	var b strings.Builder
	if e.Field != "" {
		b.WriteString("字段 ")
		b.WriteString(e.Field)
		b.WriteString(": ")
	} else {
		b.WriteString("企业画像: ")
	}
	b.WriteString(e.Msg)
	if e.Got != "" {
		b.WriteString(" (got ")
		b.WriteString(e.Got)
		b.WriteString(")")
	}
	return b.String()
}

// InvalidInput marks the error as bad input (exit status 2, HTTP 400).
func (e *ProfileError) InvalidInput() bool { return true }

// DecodeProfile reads one profile strictly against the built-in rules
// table's fields: unknown or repeated fields, wrong types, negative money,
// rates outside 0–100, unknown titles, non-integer years, title years after
// now's year, trailing data and inputs over MaxProfileBytes are refused
// with a *ProfileError naming the field.
func DecodeProfile(r io.Reader, now time.Time) (Profile, error) {
	t, err := Builtin()
	if err != nil {
		return Profile{}, err
	}
	return t.DecodeProfile(r, now)
}

// DecodeProfile reads a profile strictly against the fields t declares.
func (t *Table) DecodeProfile(r io.Reader, now time.Time) (Profile, error) {
	data, err := io.ReadAll(io.LimitReader(r, MaxProfileBytes+1))
	if err != nil {
		return Profile{}, fmt.Errorf("read profile: %w", err)
	}
	if len(data) > MaxProfileBytes {
		return Profile{}, &ProfileError{Msg: fmt.Sprintf("输入过大，超过 %d 字节（1 MB）", MaxProfileBytes)}
	}
	data = bytes.TrimPrefix(data, []byte("\xef\xbb\xbf"))
	if len(bytes.TrimSpace(data)) == 0 {
		return Profile{}, &ProfileError{Msg: "输入为空，应为一个 JSON 对象，例如 {\"above_scale_industrial\": true}"}
	}
	if !utf8.Valid(data) {
		return Profile{}, &ProfileError{Msg: "输入不是有效的 UTF-8 文本"}
	}
	if !json.Valid(data) {
		return Profile{}, &ProfileError{Msg: "不是有效的 JSON" + syntaxWhere(data)}
	}
	d := decoder{t: t, thisYear: now.In(zhtext.China()).Year(), p: Profile{v: map[string]any{}}}
	if err := d.object(json.RawMessage(data), ""); err != nil {
		return Profile{}, err
	}
	return d.p, nil
}

// decoder decodes one profile against a table's fields.
type decoder struct {
	t        *Table
	thisYear int
	p        Profile
}

// syntaxWhere says where the JSON went wrong, for the operator.
func syntaxWhere(data []byte) string {
	var v any
	dec := json.NewDecoder(bytes.NewReader(data))
	err := dec.Decode(&v)
	var se *json.SyntaxError
	switch {
	case errors.As(err, &se):
		return fmt.Sprintf("：第 %d 个字节处语法错误", se.Offset)
	case err != nil:
		return "：内容不完整"
	case dec.More():
		return fmt.Sprintf("：第 %d 个字节后有多余内容", dec.InputOffset())
	}
	return ""
}

type keyVal struct {
	key string
	val json.RawMessage
}

// objectFields splits a JSON object into its members in order, refusing
// anything that is not an object and any key given twice (encoding/json would
// silently keep the last one).
func objectFields(raw json.RawMessage, path string) ([]keyVal, *ProfileError) {
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	tok, err := dec.Token()
	if err != nil {
		return nil, &ProfileError{Field: path, Msg: "不是有效的 JSON"}
	}
	if d, ok := tok.(json.Delim); !ok || d != '{' {
		return nil, &ProfileError{Field: path, Msg: "应为 JSON 对象 {…}", Got: shorten(raw)}
	}
	var out []keyVal
	seen := map[string]bool{}
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return nil, &ProfileError{Field: path, Msg: "不是有效的 JSON"}
		}
		key, _ := tok.(string)
		var val json.RawMessage
		if err := dec.Decode(&val); err != nil {
			return nil, &ProfileError{Field: join(path, key), Msg: "不是有效的 JSON"}
		}
		if seen[key] {
			return nil, &ProfileError{Field: join(path, key), Msg: "字段重复出现"}
		}
		seen[key] = true
		out = append(out, keyVal{key, val})
	}
	return out, nil
}

func join(path, key string) string {
	if path == "" {
		return key
	}
	return path + "." + key
}

// object decodes the JSON object at path (the profile, or an object
// field such as output_growth_pct) by the table's fields.
func (d *decoder) object(raw json.RawMessage, path string) *ProfileError {
	fields, err := objectFields(raw, path)
	names := d.t.fieldsUnder(path)
	if err != nil {
		if path != "" && err.Field == path && strings.HasPrefix(err.Msg, "应为") {
			err.Msg = "应为对象 {…}（可用字段：" + strings.Join(names, ", ") + "）"
		}
		return err
	}
	for _, kv := range fields {
		full := join(path, kv.key)
		f, ok := d.t.field(full)
		switch {
		case ok:
			if perr := d.value(f, kv.val, full); perr != nil {
				return perr
			}
		case slices.Contains(names, kv.key):
			if isNull(kv.val) {
				continue
			}
			if perr := d.object(kv.val, full); perr != nil {
				return perr
			}
		default:
			name := strconv.Quote(kv.key)
			if path != "" {
				name = path + "." + name
			}
			return &ProfileError{Field: name, Msg: "未知字段（可用字段：" + strings.Join(names, ", ") + "）"}
		}
	}
	return nil
}

// value decodes one field by its check; JSON null leaves it unset.
func (d *decoder) value(f Field, val json.RawMessage, path string) *ProfileError {
	if isNull(val) {
		return nil
	}
	var (
		out  any
		perr *ProfileError
	)
	switch f.Check {
	case CheckBool:
		out, perr = decodeBool(path, val)
	case CheckMoney:
		out, perr = decodeMoney(path, val)
	case CheckRate:
		out, perr = decodeRate(path, val)
	case CheckGrowth:
		out, perr = decodeGrowthPct(path, val)
	case CheckCount:
		out, perr = decodeCount(path, val)
	case CheckTitles:
		out, perr = d.recognitions(path, val)
	default:
		return &ProfileError{Field: path, Msg: "内部错误：字段没有校验规则"}
	}
	if perr != nil {
		return perr
	}
	d.p.v[path] = out
	return nil
}

func isNull(val json.RawMessage) bool { return string(bytes.TrimSpace(val)) == "null" }

func decodeBool(key string, val json.RawMessage) (any, *ProfileError) {
	switch string(bytes.TrimSpace(val)) {
	case "true":
		return true, nil
	case "false":
		return false, nil
	}
	return nil, &ProfileError{Field: key, Msg: "应为 true 或 false", Got: shorten(val)}
}

// decodeNumber accepts a JSON number and nothing else: "35" in quotes is a
// string, and a typo must not silently become a number.
func decodeNumber(key string, val json.RawMessage) (float64, *ProfileError) {
	s := string(bytes.TrimSpace(val))
	if s == "" || !(s[0] == '-' || (s[0] >= '0' && s[0] <= '9')) {
		return 0, &ProfileError{Field: key, Msg: "应为数字", Got: shorten(val)}
	}
	f, err := strconv.ParseFloat(s, 64)
	if err != nil || math.IsInf(f, 0) || math.IsNaN(f) {
		return 0, &ProfileError{Field: key, Msg: "数字超出范围", Got: shorten(val)}
	}
	return f, nil
}

func decodeRate(key string, val json.RawMessage) (any, *ProfileError) {
	f, err := decodeNumber(key, val)
	if err != nil {
		return nil, err
	}
	if f < 0 || f > 100 {
		return nil, &ProfileError{Field: key, Msg: "比率应在 0 到 100 之间（单位为%）", Got: shorten(val)}
	}
	return f, nil
}

func decodeGrowthPct(key string, val json.RawMessage) (any, *ProfileError) {
	f, err := decodeNumber(key, val)
	if err != nil {
		return nil, err
	}
	if f < -100 {
		return nil, &ProfileError{Field: key, Msg: "同比增速不能低于 -100%", Got: shorten(val)}
	}
	return f, nil
}

func decodeMoney(key string, val json.RawMessage) (any, *ProfileError) {
	f, err := decodeNumber(key, val)
	if err != nil {
		return nil, err
	}
	if f < 0 {
		return nil, &ProfileError{Field: key, Msg: "金额不能为负数", Got: shorten(val)}
	}
	if f > maxMoneyYuan {
		return nil, &ProfileError{Field: key, Msg: "金额过大（超过1000万亿元），请检查单位是否为元", Got: shorten(val)}
	}
	return f, nil
}

func decodeCount(key string, val json.RawMessage) (any, *ProfileError) {
	f, err := decodeNumber(key, val)
	switch {
	case err != nil:
		return nil, err
	case f != math.Trunc(f):
		return nil, &ProfileError{Field: key, Msg: "应为整数（年数）", Got: shorten(val)}
	case f < 0:
		return nil, &ProfileError{Field: key, Msg: "年数不能为负数", Got: shorten(val)}
	case f > 200:
		return nil, &ProfileError{Field: key, Msg: "年数不合常理（超过200年）", Got: shorten(val)}
	}
	return int(f), nil
}

func (d *decoder) recognitions(key string, val json.RawMessage) (any, *ProfileError) {
	thisYear := d.thisYear
	if isNull(val) {
		return nil, nil
	}
	var items []json.RawMessage
	if !bytes.HasPrefix(bytes.TrimSpace(val), []byte("[")) || json.Unmarshal(val, &items) != nil {
		return nil, &ProfileError{Field: key, Msg: "应为列表 [{\"title\": …, \"year\": …}]", Got: shorten(val)}
	}
	out := make([]Recognition, 0, len(items))
	for i, it := range items {
		path := fmt.Sprintf("%s[%d]", key, i)
		fields, err := objectFields(it, path)
		if err != nil {
			if err.Msg == "应为 JSON 对象 {…}" {
				err.Msg = "应为对象 {\"title\": …, \"year\": …}"
			}
			return nil, err
		}
		var rec Recognition
		hasTitle := false
		for _, kv := range fields {
			fp := join(path, kv.key)
			switch kv.key {
			case "title":
				var s string
				if json.Unmarshal(kv.val, &s) != nil || isNull(kv.val) {
					return nil, &ProfileError{Field: fp, Msg: "应为称号字符串", Got: shorten(kv.val)}
				}
				if _, ok := d.t.title(s); !ok {
					return nil, &ProfileError{Field: fp, Msg: "未知称号（可用：" + d.t.titleList() + "）", Got: shorten(kv.val)}
				}
				rec.Title, hasTitle = s, true
			case "year":
				if isNull(kv.val) {
					continue
				}
				f, perr := decodeNumber(fp, kv.val)
				if perr != nil {
					perr.Msg = "应为整数年份，例如 2021"
					return nil, perr
				}
				if f != math.Trunc(f) {
					return nil, &ProfileError{Field: fp, Msg: "应为整数年份，例如 2021", Got: shorten(kv.val)}
				}
				if f < 1949 || f > 2100 {
					return nil, &ProfileError{Field: fp, Msg: "年份不合常理（应为四位数年份，例如 2021）", Got: shorten(kv.val)}
				}
				if int(f) > thisYear {
					return nil, &ProfileError{Field: fp, Msg: fmt.Sprintf("认定年份晚于今年（%d年），不可能已经认定", thisYear), Got: shorten(kv.val)}
				}
				rec.Year = int(f)
			default:
				return nil, &ProfileError{Field: path + "." + strconv.Quote(kv.key), Msg: "未知字段（可用字段：title, year）"}
			}
		}
		if !hasTitle {
			return nil, &ProfileError{Field: path + ".title", Msg: "缺少称号 title"}
		}
		out = append(out, rec)
	}
	return out, nil
}

// shorten renders an offending value for an error line: one line, at most
// 40 characters.
func shorten(val []byte) string {
	s := strings.Join(strings.Fields(string(val)), " ")
	if utf8.RuneCountInString(s) > 40 {
		r := []rune(s)
		s = string(r[:40]) + "…"
	}
	return s
}
