package zhtext

import (
	"math/big"
	"strconv"
	"strings"

	"huiqi/internal/lazyre"
)

// digits are the values of the Chinese digits, everyday and financial (大写).
var digits = map[rune]int64{'零': 0, '〇': 0, '一': 1, '壹': 1, '二': 2, '贰': 2, '两': 2, '三': 3, '叁': 3, '四': 4, '肆': 4,
	'五': 5, '伍': 5, '六': 6, '陆': 6, '七': 7, '柒': 7, '八': 8, '捌': 8, '九': 9, '玖': 9}

// smallUnits are the units below 万; k is how people type 千.
var smallUnits = map[rune]int64{'十': 10, '拾': 10, '百': 100, '佰': 100, '千': 1000, '仟': 1000, 'k': 1000}

// Digit returns the value of a Chinese digit (零〇一二两…九 and the financial
// forms 壹贰叁…玖); ok is false for any other rune, Arabic digits included.
func Digit(r rune) (v int, ok bool) {
	d, ok := digits[r]
	return int(d), ok
}

// SmallUnit returns the value of a unit below 万 (十百千 and 拾佰仟).
func SmallUnit(r rune) (v int, ok bool) {
	if r == 'k' {
		return 0, false // typed, not written: only ParseNumber takes it
	}
	u, ok := smallUnits[r]
	return int(u), ok
}

// IsNumeral reports whether r is a Chinese digit or unit (十百千万亿).
func IsNumeral(r rune) bool {
	if _, ok := digits[r]; ok {
		return true
	}
	if _, ok := SmallUnit(r); ok {
		return true
	}
	return r == '万' || r == '亿'
}

// Numeral writes n as a Chinese numeral: 1 一, 10 十, 12 十二, 20 二十,
// 105 一百零五, 1010 一千零一十. Zero is 零; negative numbers and numbers of
// 10000 and more are written in Arabic digits.
func Numeral(n int) string {
	const d = "零一二三四五六七八九"
	digit := func(i int) string { return string([]rune(d)[i]) }
	switch {
	case n < 0 || n >= 10000:
		return strconv.Itoa(n)
	case n < 10:
		return digit(n)
	case n < 20:
		return "十" + strings.TrimPrefix(digit(n%10), "零")
	}
	var sb strings.Builder
	units := []string{"千", "百", "十", ""}
	zero := false
	for i, p := 0, 1000; p > 0; i, p = i+1, p/10 {
		k := n / p % 10
		switch {
		case k == 0 && sb.Len() > 0:
			zero = true
		case k != 0:
			if zero {
				sb.WriteString("零")
				zero = false
			}
			sb.WriteString(digit(k) + units[i])
		}
	}
	return sb.String()
}

// arabicRe compiles at first use, not in every command's start-up.
var arabicRe = lazyre.New(`^(\d+|\d{1,3}(,\d{3})+)(\.\d+)?$`)

// parseArabic reads 3000000, 3,000,000 or 12.5 exactly.
func parseArabic(s string) (*big.Rat, bool) {
	if len(s) > 24 || !arabicRe.MatchString(s) {
		return nil, false
	}
	r, ok := new(big.Rat).SetString(strings.ReplaceAll(s, ",", ""))
	return r, ok
}

// smallRats are the integers ParseNumber meets most, shared read-only so
// that reading 三千五百万 does not allocate one per digit and unit.
var smallRats = func() map[int64]*big.Rat {
	m := map[int64]*big.Rat{}
	for _, v := range []int64{0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 100, 1000, 10000, 100_000_000} {
		m[v] = big.NewRat(v, 1)
	}
	return m
}()

// intRat is v as a *big.Rat the caller must not modify.
func intRat(v int64) *big.Rat {
	if r, ok := smallRats[v]; ok {
		return r
	}
	return big.NewRat(v, 1)
}

// ParseNumber reads a number written with Chinese numerals, Arabic digits
// or both, exactly, with the units 十百千万亿: 三千万, 5千万, 0.3亿, 1.2个亿,
// 1亿2000万, 一百二十, 三万五 (35000), 一百五 (150), 三十五点五, 3,000,000,
// 壹万. Typed k and w (lower case) stand for 千 and 万. hadUnit tells whether
// a unit was used. A run that is not one well-formed number (二二, 3000万5,
// 百千) is refused.
func ParseNumber(s string) (v *big.Rat, hadUnit, ok bool) {
	rs := []rune(s)
	if len(rs) == 0 || len(rs) > 40 {
		return nil, false, false
	}
	if r, ok := parseArabic(s); ok {
		return r, false, true
	}
	total := new(big.Rat) // whole 亿 sections
	sec := new(big.Rat)   // 万 part of the current 亿 section
	small := new(big.Rat) // below 万
	var cur *big.Rat      // the pending number; never modified in place (it may be shared)
	tmp := new(big.Rat)   // scratch for products
	curDigit := false     // cur is a single digit written alone (for 三万五)
	lastSmall := int64(1 << 40)
	lastUnit := int64(0)
	sawZero := false
	lastSingle := false // the number before the last unit was one digit (三万 but not 3000万)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case r >= '0' && r <= '9':
			if cur != nil {
				return nil, false, false
			}
			j := i
			for j < len(rs) && (rs[j] >= '0' && rs[j] <= '9' || rs[j] == '.' || rs[j] == ',') {
				j++
			}
			v, ok := parseArabic(string(rs[i:j]))
			if !ok {
				return nil, false, false
			}
			cur, curDigit = v, j-i == 1
			i = j - 1
		case r == '零' || r == '〇':
			if cur != nil {
				return nil, false, false
			}
			sawZero = true
		case digits[r] > 0:
			if cur != nil {
				return nil, false, false
			}
			cur, curDigit = intRat(digits[r]), true
		case r == '点':
			if cur == nil || !cur.IsInt() || i+1 >= len(rs) {
				return nil, false, false
			}
			frac, scale := int64(0), int64(1)
			j := i + 1
			for ; j < len(rs); j++ {
				d, ok := digits[rs[j]]
				if !ok || scale > 1e12 {
					break
				}
				frac, scale = frac*10+d, scale*10
			}
			if j == i+1 {
				return nil, false, false
			}
			cur = new(big.Rat).Add(cur, big.NewRat(frac, scale))
			curDigit = false
			i = j - 1
		case smallUnits[r] > 0:
			u := smallUnits[r]
			if u >= lastSmall {
				return nil, false, false
			}
			if cur == nil {
				if u != 10 || small.Sign() != 0 && !sawZero {
					return nil, false, false
				}
				cur = intRat(1) // 十五 = 15
			}
			small.Add(small, tmp.Mul(cur, intRat(u)))
			lastSingle = curDigit || small.Cmp(intRat(u)) == 0
			cur, curDigit, lastSmall, lastUnit, hadUnit, sawZero = nil, false, u, u, true, false
		case r == '个':
			if i+1 >= len(rs) || (rs[i+1] != '亿' && rs[i+1] != '万') || cur == nil {
				return nil, false, false
			}
		case r == '万' || r == 'w':
			part := new(big.Rat).Set(small)
			if cur != nil {
				part.Add(part, cur)
			}
			if part.Sign() == 0 || sec.Sign() != 0 {
				return nil, false, false
			}
			sec.Mul(part, intRat(10000))
			lastSingle = small.Sign() == 0 && curDigit
			small.SetInt64(0)
			cur, curDigit, lastSmall, lastUnit, hadUnit, sawZero = nil, false, 1<<40, 10000, true, false
		case r == '亿':
			part := new(big.Rat).Add(sec, small)
			if cur != nil {
				part.Add(part, cur)
			}
			if part.Sign() == 0 {
				return nil, false, false
			}
			lastSingle = sec.Sign() == 0 && small.Sign() == 0 && curDigit
			total.Add(total, part.Mul(part, intRat(100_000_000)))
			sec.SetInt64(0)
			small.SetInt64(0)
			cur, curDigit, lastSmall, lastUnit, hadUnit, sawZero = nil, false, 1<<40, 100_000_000, true, false
		default:
			return nil, false, false
		}
	}
	if cur != nil {
		// 三万五 is 35000 and 一百五 is 150: a lone digit after a one-digit
		// number and a unit of a hundred or more counts in the next unit
		// down. Not after 零 (一千零五), not after 3000万 (3000万5 is refused).
		if curDigit && lastUnit >= 100 && !sawZero {
			if !lastSingle {
				return nil, false, false
			}
			cur = new(big.Rat).Mul(cur, intRat(lastUnit/10))
		}
		small.Add(small, cur)
	} else if !hadUnit && !sawZero {
		return nil, false, false
	}
	out := new(big.Rat).Add(total, sec)
	return out.Add(out, small), hadUnit, true
}

// ParseInt reads a whole number that is not negative, in Chinese numerals or
// Arabic digits: 三, 十二, 二十, 一百零五, 12.
func ParseInt(s string) (int, bool) {
	v, _, ok := ParseNumber(strings.TrimSpace(s))
	if !ok || !v.IsInt() || v.Sign() < 0 || !v.Num().IsInt64() || v.Num().Int64() > 1<<31 {
		return 0, false
	}
	return int(v.Num().Int64()), true
}

// Count writes n as a count before a measure word: 两项, 三项, 十二项 (a
// count of two is 两, not 二).
func Count(n int) string {
	if n == 2 {
		return "两"
	}
	return Numeral(n)
}
