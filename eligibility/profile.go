package eligibility

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"reflect"
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

// Titles recognised in first_recognitions, in the order of the notice.
const (
	TitleProvincialZJTX      = "provincial_zjtx"
	TitleLittleGiant         = "little_giant"
	TitleSingleChampion      = "single_champion"
	TitleNationalLittleGiant = "national_little_giant"
)

// Profile is the enterprise profile of awards.md. Every field is optional:
// nil means "no" or "not known" and can only remove awards. The check tag
// says how DecodeProfile validates a field: bool, money (≥ 0), rate (0–100),
// growth (≥ −100), count (whole ≥ 0), titles, object.
type Profile struct {
	AboveScaleIndustrial          *bool         `json:"above_scale_industrial,omitempty" check:"bool"`
	OutputGrowthPct               *Growth       `json:"output_growth_pct,omitempty" check:"object"`
	SmallToScaleKey               *bool         `json:"small_to_scale_key,omitempty" check:"bool"`
	UpgradedToScaleThisYear       *bool         `json:"upgraded_to_scale_this_year,omitempty" check:"bool"`
	ConsecutiveYearsInScale       *int          `json:"consecutive_years_in_scale,omitempty" check:"count"`
	FirstRecognitions             []Recognition `json:"first_recognitions,omitempty" check:"titles"`
	DistrictWhitelist             *bool         `json:"district_whitelist,omitempty" check:"bool"`
	CityChainLeader               *bool         `json:"city_chain_leader,omitempty" check:"bool"`
	LocalRatePrevPct              *float64      `json:"local_rate_prev_pct,omitempty" check:"rate"`
	LocalRatePct                  *float64      `json:"local_rate_pct,omitempty" check:"rate"`
	AnnualProcurementYuan         *float64      `json:"annual_procurement_yuan,omitempty" check:"money"`
	HasRDInstitution              *bool         `json:"has_rd_institution,omitempty" check:"bool"`
	RDGrowthTargetMet             *bool         `json:"rd_growth_target_met,omitempty" check:"bool"`
	RevenuePrevMaxYuan            *float64      `json:"revenue_prev_max_yuan,omitempty" check:"money"`
	RevenueYuan                   *float64      `json:"revenue_yuan,omitempty" check:"money"`
	FirstBatchMaterialPremiumYuan *float64      `json:"first_batch_material_premium_yuan,omitempty" check:"money"`
}

// Growth is 2023's monthly output growth, year on year, in percent:
// January–February combined and March.
type Growth struct {
	JanFeb *float64 `json:"jan_feb,omitempty" check:"growth"`
	Mar    *float64 `json:"mar,omitempty" check:"growth"`
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

// DecodeProfile reads one profile strictly: unknown or repeated fields, wrong
// types, negative money, rates outside 0–100, unknown titles, non-integer
// years, title years after now's year, trailing data and inputs over
// MaxProfileBytes are refused with a *ProfileError naming the field.
func DecodeProfile(r io.Reader, now time.Time) (Profile, error) {
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
	var p Profile
	if err := decodeObject(reflect.ValueOf(&p).Elem(), json.RawMessage(data), "", now.In(zhtext.China()).Year()); err != nil {
		return Profile{}, err
	}
	return p, nil
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

// decodeObject decodes a JSON object into the struct v strictly, by the
// JSON tags and the check tags of its fields: a field added to Profile with
// its tags is decoded and validated without new code.
func decodeObject(v reflect.Value, raw json.RawMessage, path string, thisYear int) *ProfileError {
	fields, err := objectFields(raw, path)
	if err != nil {
		if path != "" && err.Field == path && strings.HasPrefix(err.Msg, "应为") {
			err.Msg = "应为对象 {…}（可用字段：" + fieldNames(v.Type()) + "）"
		}
		return err
	}
	for _, kv := range fields {
		i, ok := fieldIndex(v.Type(), kv.key)
		if !ok {
			name := strconv.Quote(kv.key)
			if path != "" {
				name = path + "." + name
			}
			return &ProfileError{Field: name, Msg: "未知字段（可用字段：" + fieldNames(v.Type()) + "）"}
		}
		if err := decodeValue(v.Field(i), v.Type().Field(i).Tag.Get("check"), kv.val, join(path, kv.key), thisYear); err != nil {
			return err
		}
	}
	return nil
}

// decodeValue decodes one field by its check tag; JSON null leaves it unset.
func decodeValue(fv reflect.Value, check string, val json.RawMessage, path string, thisYear int) *ProfileError {
	if isNull(val) {
		return nil
	}
	var (
		out  any
		perr *ProfileError
	)
	switch check {
	case "bool":
		out, perr = decodeBool(path, val)
	case "money":
		out, perr = decodeMoney(path, val)
	case "rate":
		out, perr = decodeRate(path, val)
	case "growth":
		out, perr = decodeGrowthPct(path, val)
	case "count":
		out, perr = decodeCount(path, val)
	case "titles":
		out, perr = decodeRecognitions(path, val, thisYear)
	case "object":
		ptr := reflect.New(fv.Type().Elem())
		if perr = decodeObject(ptr.Elem(), val, path, thisYear); perr != nil {
			return perr
		}
		fv.Set(ptr)
		return nil
	default:
		return &ProfileError{Field: path, Msg: "内部错误：字段没有校验规则"}
	}
	if perr != nil {
		return perr
	}
	fv.Set(reflect.ValueOf(out))
	return nil
}

func fieldIndex(t reflect.Type, key string) (int, bool) {
	for i := 0; i < t.NumField(); i++ {
		if strings.Split(t.Field(i).Tag.Get("json"), ",")[0] == key {
			return i, true
		}
	}
	return 0, false
}

// fieldNames lists a struct's JSON field names for the unknown-field message.
func fieldNames(t reflect.Type) string {
	names := make([]string, 0, t.NumField())
	for i := 0; i < t.NumField(); i++ {
		names = append(names, strings.Split(t.Field(i).Tag.Get("json"), ",")[0])
	}
	return strings.Join(names, ", ")
}

func isNull(val json.RawMessage) bool { return string(bytes.TrimSpace(val)) == "null" }

func decodeBool(key string, val json.RawMessage) (*bool, *ProfileError) {
	switch string(bytes.TrimSpace(val)) {
	case "true":
		b := true
		return &b, nil
	case "false":
		b := false
		return &b, nil
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

func decodeRate(key string, val json.RawMessage) (*float64, *ProfileError) {
	f, err := decodeNumber(key, val)
	if err != nil {
		return nil, err
	}
	if f < 0 || f > 100 {
		return nil, &ProfileError{Field: key, Msg: "比率应在 0 到 100 之间（单位为%）", Got: shorten(val)}
	}
	return &f, nil
}

func decodeGrowthPct(key string, val json.RawMessage) (*float64, *ProfileError) {
	f, err := decodeNumber(key, val)
	if err != nil {
		return nil, err
	}
	if f < -100 {
		return nil, &ProfileError{Field: key, Msg: "同比增速不能低于 -100%", Got: shorten(val)}
	}
	return &f, nil
}

func decodeMoney(key string, val json.RawMessage) (*float64, *ProfileError) {
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
	return &f, nil
}

func decodeCount(key string, val json.RawMessage) (*int, *ProfileError) {
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
	n := int(f)
	return &n, nil
}

func decodeRecognitions(key string, val json.RawMessage, thisYear int) ([]Recognition, *ProfileError) {
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
				if !validTitle(s) {
					return nil, &ProfileError{Field: fp, Msg: "未知称号（可用：provincial_zjtx 省级专精特新、little_giant 专精特新小巨人、single_champion 单项冠军、national_little_giant 国家级专精特新小巨人）", Got: shorten(kv.val)}
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

func validTitle(s string) bool {
	switch s {
	case TitleProvincialZJTX, TitleLittleGiant, TitleSingleChampion, TitleNationalLittleGiant:
		return true
	}
	return false
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
