package zhtext

import "testing"

func TestHalfWidth(t *testing.T) {
	for _, tc := range []struct{ in, want rune }{
		{'（', '('}, {'，', ','}, {'Ａ', 'A'}, {'１', '1'}, {'～', '~'}, {'！', '!'},
		{'\u3000', ' '}, {'、', '、'}, {'。', '。'}, {'中', '中'}, {'a', 'a'}, {'\uFF5F', '\uFF5F'},
	} {
		if got := HalfWidth(tc.in); got != tc.want {
			t.Errorf("HalfWidth(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}
