package zhtext

import (
	"strconv"
	"strings"
)

// FormatYuan writes an amount of whole yuan as people write money: 800元,
// 5万元, 2.5万元, 1.2亿元. It is exact: no digit is rounded away.
func FormatYuan(v int64) string {
	if v < 0 {
		if v == -v { // math.MinInt64 has no positive counterpart
			return "-" + decimalShift("9223372036854775808", 8) + "亿元"
		}
		return "-" + FormatYuan(-v)
	}
	s := strconv.FormatInt(v, 10)
	switch {
	case v >= 100_000_000:
		return decimalShift(s, 8) + "亿元"
	case v >= 10_000:
		return decimalShift(s, 4) + "万元"
	}
	return s + "元"
}

// decimalShift divides a decimal integer string by 10^n exactly, trimming
// trailing zeros of the fraction.
func decimalShift(s string, n int) string {
	for len(s) <= n {
		s = "0" + s
	}
	whole, frac := s[:len(s)-n], strings.TrimRight(s[len(s)-n:], "0")
	if frac == "" {
		return whole
	}
	return whole + "." + frac
}
