package knowledge

// Numbers in questions: Chinese numerals and money become the digits the
// notice writes (三千万 → 3000万, 1.2个亿 → 1.2亿, 百分之三十 → 30%, 2w → 2万),
// only where they are a number (two or more numeral characters, or one
// followed by a unit such as 万), so that 一企一策 keeps its 一. Reading a
// numeral is zhtext's; what counts as a number in a question is here.

import (
	"math"
	"strconv"
	"strings"

	"huiqi/internal/zhtext"
)

func cnDigitValue(r rune) (int, bool) { return zhtext.Digit(r) }

func isCNNum(r rune) bool { return zhtext.IsNumeral(r) }

// parseCN parses a run of Chinese numerals (and digits) such as 三千五百万,
// 十八, 1千万, 一百二十. ok is false when the run is not a well-formed number.
func parseCN(rs []rune) (float64, bool) {
	v, _, ok := zhtext.ParseNumber(string(rs))
	if !ok {
		return 0, false
	}
	f, _ := v.Float64()
	return f, true
}

// formatAmount writes a value the way the notice does: 3000万, 1.2亿, 300.
func formatAmount(v float64) string {
	switch {
	case v >= 1e8 && isRound(v/1e8):
		return trimFloat(v/1e8) + "亿"
	case v >= 1e4 && isRound(v/1e4):
		return trimFloat(v/1e4) + "万"
	}
	return trimFloat(v)
}

func isRound(x float64) bool { return math.Abs(x*10000-math.Round(x*10000)) < 1e-6 }

func trimFloat(x float64) string { return strconv.FormatFloat(math.Round(x*1e6)/1e6, 'f', -1, 64) }

// normalizeNumbers rewrites numerals and amounts in s (already half-width).
func normalizeNumbers(s string) string {
	rs := []rune(s)
	has := false
	for _, r := range rs {
		if r >= '0' && r <= '9' || isCNNum(r) {
			has = true
			break
		}
	}
	if !has {
		return s
	}
	var out []rune
	for i := 0; i < len(rs); {
		// 百分之三十 / 百分之30
		if hasRunes(rs[i:], "百分之") {
			j := i + 3
			k := j
			for k < len(rs) && (isCNNum(rs[k]) || rs[k] >= '0' && rs[k] <= '9' || rs[k] == '.' || rs[k] == '点') {
				k++
			}
			if v, ok := parseNum(rs[j:k]); ok && k > j {
				out = append(out, []rune(trimFloat(v)+"%")...)
				i = k
				continue
			}
		}
		r := rs[i]
		startsNum := r >= '0' && r <= '9' || r == '十'
		if _, d := cnDigitValue(r); d {
			startsNum = true
		}
		if !startsNum {
			out = append(out, r)
			i++
			continue
		}
		j := i
		for j < len(rs) && (isCNNum(rs[j]) || rs[j] >= '0' && rs[j] <= '9' || rs[j] == ',' && j+1 < len(rs) && rs[j+1] >= '0' && rs[j+1] <= '9' && j > i && rs[j-1] >= '0' && rs[j-1] <= '9' ||
			(rs[j] == '.' || rs[j] == '点') && j+1 < len(rs) && (rs[j+1] >= '0' && rs[j+1] <= '9' || isCNDigit(rs[j+1])) && j > i) {
			j++
		}
		run := rs[i:j]
		// 1.2个亿, 一个亿
		k := j
		if k+1 < len(rs) && rs[k] == '个' && (rs[k+1] == '亿' || rs[k+1] == '万') {
			run = append(append([]rune{}, run...), rs[k+1])
			k += 2
		}
		if len(run) == 1 && !isDigitRune(run[0]) && !(i > 0 && rs[i-1] == '第') && !(j < len(rs) && strings.ContainsRune(measureWords, rs[j])) {
			// a lone 一 or 三 is a word part (一企一策), not a number
			out = append(out, run...)
			i = j
			continue
		}
		v, ok := parseNum(run)
		if !ok {
			out = append(out, rs[i:j]...)
			i = j
			continue
		}
		// 2w, 5W: typed 万
		if k < len(rs) && rs[k] == 'w' && (k+1 == len(rs) || !isASCIILetter(rs[k+1])) {
			v *= 1e4
			k++
		}
		out = append(out, []rune(formatAmount(v))...)
		// 2万块钱, 5万块 → 元
		if k < len(rs) && rs[k] == '块' {
			out = append(out, '元')
			k++
			if k < len(rs) && rs[k] == '钱' {
				k++
			}
		}
		i = k
	}
	return string(out)
}

// measureWords make a lone numeral a number: 三个月, 五家, 一年.
const measureWords = "个条月年家次天倍项名户成"

func isDigitRune(r rune) bool { return r >= '0' && r <= '9' }

func isCNDigit(r rune) bool { _, ok := cnDigitValue(r); return ok }

func isASCIILetter(r rune) bool { return r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' }

// parseNum parses digits with Chinese units, commas and 点 decimals.
func parseNum(rs []rune) (float64, bool) {
	clean := make([]rune, 0, len(rs))
	for i, r := range rs {
		switch {
		case r == ',':
			continue
		case r == '点':
			// 一点二亿: integer part, digits read one by one, then units
			whole, ok := parseCN(clean)
			if !ok || len(clean) == 0 {
				return 0, false
			}
			rest := rs[i+1:]
			frac, scale, n := 0.0, 0.1, 0
			for n < len(rest) {
				d, ok := cnDigitValue(rest[n])
				if !ok && isDigitRune(rest[n]) {
					d, ok = int(rest[n]-'0'), true
				}
				if !ok {
					break
				}
				frac += float64(d) * scale
				scale /= 10
				n++
			}
			if n == 0 {
				return 0, false
			}
			v := whole + frac
			for _, u := range rest[n:] {
				switch u {
				case '万':
					v *= 1e4
				case '亿':
					v *= 1e8
				default:
					return 0, false
				}
			}
			return v, true
		}
		clean = append(clean, r)
	}
	return parseCN(clean)
}

func hasRunes(rs []rune, p string) bool {
	i := 0
	for _, r := range p {
		if i >= len(rs) || rs[i] != r {
			return false
		}
		i++
	}
	return true
}
