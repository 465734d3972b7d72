package eligibility

import (
	"encoding/json"
	"errors"
	"strings"
	"testing"
	"time"

	"huiqi/internal/zhtext"
)

// FuzzApply feeds any text as the answer to every question of the
// questionnaire, the way the dialog passes what a person typed: an answer
// is stored or refused with a Chinese hint, never a panic, and what is
// stored survives the JSON round trip the engine makes between turns and
// still evaluates.
func FuzzApply(f *testing.F) {
	for _, s := range []string{"是", "否", "不知道", "跳过", "50%", "-100%", "百分之五十", "2500万", "1.2亿元", "三千万",
		"1e308", "-1", "9999999999999999999999", "5家", "2023年 小巨人", "前年评上专精特新", "", " ", "\xff", "\u202e",
		"<script>", "@everyone", "%s%n", "0x10", "NaN", "Inf", "１２３", "二〇二三年"} {
		f.Add(s)
	}
	now := time.Date(2026, 11, 27, 10, 0, 0, 0, zhtext.China())
	qs := Questions()
	f.Fuzz(func(t *testing.T, in string) {
		for _, q := range qs {
			a, err := Apply(Answers{}, q.Field, in, now)
			if err != nil {
				var ae *AnswerError
				if !errors.As(err, &ae) || ae.Msg == "" || strings.Contains(ae.Msg, "内部错误") {
					t.Fatalf("Apply(%s, %q) error %v, want a hint for the person", q.Field, in, err)
				}
				continue
			}
			raw, err := json.Marshal(a)
			if err != nil {
				t.Fatalf("Apply(%s, %q) stored an answer that does not encode: %v", q.Field, in, err)
			}
			var back Answers
			if err := json.Unmarshal(raw, &back); err != nil {
				t.Fatalf("Apply(%s, %q) answers do not decode: %v", q.Field, in, err)
			}
			Next(back)
			Stakes(back)
		}
	})
}
