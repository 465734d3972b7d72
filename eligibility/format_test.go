package eligibility

import (
	"math"
	"testing"
)

func TestFormatYuan(t *testing.T) {
	tests := []struct {
		in   int64
		want string
	}{
		{0, "0元"}, {1, "1元"}, {800, "800元"}, {9999, "9999元"}, {10000, "1万元"}, {25000, "2.5万元"},
		{50000, "5万元"}, {12345, "1.2345万元"}, {100000, "10万元"}, {300000, "30万元"}, {5000000, "500万元"},
		{30000000, "3000万元"}, {99999999, "9999.9999万元"}, {100000000, "1亿元"}, {120000000, "1.2亿元"},
		{150000000, "1.5亿元"}, {100005000, "1.00005亿元"}, {-50000, "-5万元"}, {-800, "-800元"},
		{math.MaxInt64, "92233720368.54775807亿元"}, {math.MinInt64, "-92233720368.54775808亿元"},
	}
	for _, tc := range tests {
		t.Run(tc.want, func(t *testing.T) {
			if got := FormatYuan(tc.in); got != tc.want {
				t.Errorf("FormatYuan(%d) = %q, want %q", tc.in, got, tc.want)
			}
		})
	}
}
