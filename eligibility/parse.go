package eligibility

import (
	"errors"
	"fmt"
	"math"
	"math/big"
	"slices"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/lazyre"
	"huiqi/internal/zhtext"
)

// ErrUnsure is matched (errors.Is) by an answer error when the person said
// they do not know: the dialog records the answer as unknown.
var ErrUnsure = errors.New("answer: unsure")

// ErrQuestion is matched by an answer error when the answer is a question
// (不知道啥是专精特新): the dialog answers it and asks again.
var ErrQuestion = errors.New("answer: a question")

// AnswerError is an answer the parsers refuse. Its message is the hint to
// show the person, in Chinese.
type AnswerError struct {
	Msg      string
	Unsure   bool // the person said they do not know
	Question bool // the answer asks something back
}

func (e *AnswerError) Error() string { return e.Msg }

// InvalidInput marks the error as bad input.
func (e *AnswerError) InvalidInput() bool { return true }

// Is lets errors.Is(err, ErrUnsure) find answers of "不知道", and
// errors.Is(err, ErrQuestion) answers that ask back.
func (e *AnswerError) Is(target error) bool {
	return target == ErrUnsure && e.Unsure || target == ErrQuestion && e.Question
}

func hint(msg string) error { return &AnswerError{Msg: msg} }

const unsureHint = "不确定也没关系，这一项先记为“不清楚”（和跳过一样不计算），测算结束时会列出它可能影响的奖励。"

// maxAnswerRunes bounds a short answer; longer text is not an answer to a
// yes/no or number question.
const maxAnswerRunes = 60

// normalize simplifies traditional characters (沒有, 三千二百萬), folds
// full-width forms to ASCII, lower-cases, drops spaces and the punctuation
// people end answers with.
func normalize(s string) string {
	s = zhtext.Simplify(s)
	var b strings.Builder
	for _, r := range s {
		r = zhtext.HalfWidth(r)
		if r == '−' || r == '－' || r == '﹣' || r == '—' || r == '–' {
			r = '-'
		}
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), "。.!！~?？…,，、")
}

var unsureWords = []string{"不知道", "不清楚", "不确定", "不记得", "记不清", "忘了", "忘记了", "说不准", "说不好", "不好说", "不一定", "不太清楚",
	"跳过", "略过", "pass", "skip", "不晓得", "不了解", "没数", "不懂", "搞不清", "没概念", "不太懂", "不明白", "不太确定", "没印象"}

// questionMarks are what makes an answer a question back (不知道啥是专精特新).
var questionMarks = []string{"?", "吗", "啥是", "什么是", "是什么", "是啥", "啥意思", "什么意思", "怎么算", "怎么理解", "指的是", "指什么",
	"算不算", "是不是", "有没有", "什么叫", "啥叫", "咋算", "怎么判断", "如何判断", "哪里查", "怎么查", "在哪看", "在哪查"}

func isUnsure(s string) bool {
	for _, w := range unsureWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func isQuestion(s string) bool {
	for _, w := range questionMarks {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func unsure() error { return &AnswerError{Msg: unsureHint, Unsure: true} }

// hedges are the words people put around a figure they are not sure of:
// the figure is taken, marked as an estimate (约).
var (
	hedgePrefixes = []string{"大概是", "大概有", "大概在", "大概", "大约是", "大约有", "大约", "差不多是", "差不多有", "差不多", "估计是", "估计有", "估计",
		"可能是", "可能有", "可能", "也许是", "也许有", "也许", "应该是", "应该有", "应该", "好像是", "好像有", "好像", "约莫", "约", "将近", "接近",
		"大致", "少说", "至少", "起码", "最少", "差不离", "估摸着", "估摸"}
	hedgeSuffixes = []string{"左右吧", "左右", "上下", "的样子", "差不多", "吧", "呗", "呢", "啊", "吧我记得", "我记得", "好像", "估计"}
	// verbs before a figure that say nothing about it: 交了八万, 有3200万.
	figureVerbs = []string{"一共是", "一共有", "一共", "总共是", "总共有", "总共", "合计", "总计", "实际交了", "交了", "交过", "缴了", "花了", "投了",
		"付了", "达到了", "达到", "有", "是", "为", "在"}
)

// stripHedges takes the hedges and filler verbs off a figure.
func stripHedges(n string) (string, bool) {
	est := false
	for changed := true; changed; {
		changed = false
		for _, p := range hedgePrefixes {
			if t, ok := strings.CutPrefix(n, p); ok {
				n, changed, est = t, true, true
			}
		}
		for _, p := range hedgeSuffixes {
			if t, ok := strings.CutSuffix(n, p); ok && t != "" {
				n, changed = t, true
				if p != "吧" && p != "呢" && p != "啊" && p != "呗" {
					est = true
				}
			}
		}
		for _, p := range figureVerbs {
			if t, ok := strings.CutPrefix(n, p); ok && t != "" {
				n, changed = t, true
			}
		}
	}
	return n, est
}

// prepare normalises an answer and refuses, with help, what no parser can
// read: nothing, too much, a question back (an error matching ErrQuestion),
// or "不知道" (an error matching ErrUnsure). Hedges are taken off a
// figure and reported as an estimate.
func prepare(s, help string) (string, bool, error) {
	n := normalize(s)
	if n == "" {
		return "", false, hint("没有收到回答。" + help)
	}
	if utf8.RuneCountInString(n) > maxAnswerRunes {
		return "", false, hint("回答太长了。" + help)
	}
	if isQuestion(n) {
		return "", false, &AnswerError{Msg: "这一项需要您来回答哦。" + help, Question: true}
	}
	if isUnsure(n) && !hasFigure(n) {
		return "", false, unsure()
	}
	for _, w := range unsureWords {
		n = strings.ReplaceAll(n, w, "")
	}
	n = strings.Trim(n, ",，、")
	if n == "" || isHedgeOnly(n) {
		return "", false, unsure() // 也许, 大概吧: nothing but a hedge is "not known"
	}
	est := false
	for _, w := range yesNoHedges {
		est = est || strings.Contains(n, w)
	}
	return n, est, nil
}

// isHedgeOnly reports whether s is hedges and particles only.
func isHedgeOnly(s string) bool {
	for _, w := range yesNoHedges {
		s = strings.ReplaceAll(s, w, "")
	}
	return strings.Trim(s, "吧呢啊呀哦嘛") == ""
}

var yesNoHedges = []string{"可能", "也许", "大概", "应该", "好像", "估计", "差不多", "大致"}

// hasFigure reports whether s holds a digit or a Chinese number.
func hasFigure(s string) bool {
	for _, r := range s {
		if r >= '0' && r <= '9' || zhtext.IsNumeral(r) {
			return true
		}
	}
	return false
}

var (
	reAdjacent  = lazyre.New(`([一二两三四五六七八])([二三四五六七八九])([十百千万亿])`)
	reArabRange = lazyre.New(`^(\d+(?:\.\d+)?)(%|万|亿|元)?(?:-|~|到|至)(\d+(?:\.\d+)?)(.*)$`)
)

// lowerBound reads an estimate as its lower bound: 3000多万 → 3000万,
// 八万多 → 八万, 三十几 → 三十, 十几万 → 十万, 两千八九百万 → 两千八百万,
// 三四十 → 三十, 2800-2900万 → 2800万, 两千到三千万 → 两千万. ok is false
// when the text gives no figure to start from (几百万).
func lowerBound(n string) (string, bool, bool) {
	changed := false
	if m := reArabRange.FindStringSubmatch(n); m != nil {
		if m[2] != "" {
			return m[1] + m[2], true, true
		}
		return m[1] + m[4], true, true
	}
	for _, sep := range []string{"到", "至", "~"} {
		if a, b, ok := strings.Cut(n, sep); ok && a != "" && b != "" && hasFigure(a) && hasFigure(b) {
			for _, u := range []string{"亿", "万"} {
				if strings.HasSuffix(b, u) && !strings.Contains(a, u) {
					a += u
				}
			}
			if strings.HasSuffix(b, "元") && !strings.HasSuffix(a, "元") {
				a += "元"
			}
			n, changed = a, true
			break
		}
	}
	for {
		m := reAdjacent.FindStringSubmatchIndex(n)
		if m == nil {
			break
		}
		a, _ := zhtext.Digit([]rune(n[m[2]:m[3]])[0])
		b, _ := zhtext.Digit([]rune(n[m[4]:m[5]])[0])
		if b != a+1 {
			break
		}
		n, changed = n[:m[4]]+n[m[5]:], true
	}
	var b strings.Builder
	rs := []rune(n)
	for i, r := range rs {
		switch r {
		case '多', '余', '来':
			// Only after a figure: 三十多, 八万多, 35%多; 很多 says no figure.
			if i == 0 || !(rs[i-1] >= '0' && rs[i-1] <= '9' || zhtext.IsNumeral(rs[i-1]) || strings.ContainsRune("%番倍成", rs[i-1])) {
				return n, false, false
			}
			changed = true
			continue
		case '几':
			if i == 0 || !(rs[i-1] >= '0' && rs[i-1] <= '9' || zhtext.IsNumeral(rs[i-1])) {
				return n, false, false
			}
			changed = true
			continue
		}
		b.WriteRune(r)
	}
	return b.String(), changed, true
}

var (
	yesWords = map[string]bool{"是": true, "是的": true, "对": true, "对的": true, "有": true, "有的": true, "嗯": true,
		"嗯嗯": true, "恩": true, "好": true, "是滴": true, "属于": true, "算": true, "算是": true, "当然": true, "当然是": true,
		"没错": true, "对头": true, "确实": true, "已经": true, "已": true, "已经是": true, "已经有": true, "完成": true,
		"完成了": true, "达到": true, "达到了": true, "达标": true, "y": true, "yes": true, "yeah": true, "yep": true,
		"true": true, "ok": true, "okay": true, "√": true, "✓": true, "是是": true, "有有": true, "实现了": true, "评上了": true}
	noWords = map[string]bool{"否": true, "不": true, "不是": true, "没有": true, "没": true, "无": true, "还没": true,
		"还没有": true, "不对": true, "不属于": true, "不算": true, "尚未": true, "未": true, "还不是": true, "没呢": true,
		"并没有": true, "并不是": true, "没达到": true, "未达到": true, "没完成": true, "未完成": true, "n": true, "no": true,
		"nope": true, "false": true, "×": true, "✗": true, "非": true, "没有的": true, "不是的": true, "都没有": true, "暂无": true,
		"暂时没有": true, "目前没有": true, "还未": true}
	noPrefixes = []string{"不是", "没有", "还没", "尚未", "不属于", "并没有", "并不是", "还不是", "目前没有", "暂时没有", "不在", "没在",
		"未被", "没被", "没评", "未评", "不算", "没完成", "未完成", "没达到", "未达到", "未列入", "没列入", "没升", "未升"}
	yesPrefixes = []string{"是的", "是", "对", "有", "嗯", "已经", "属于", "当然"}
)

// Reading is an answer as understood: its value, and whether the person
// estimated (大概, 可能有, 八万多, 两千八九百万) so the value is the lower
// bound of what they said.
type Reading struct {
	Value    any
	Estimate bool
	Said     string // what the person typed, for the note on the estimate
}

// ParseYesNo understands yes and no as people say them: 是、对、有、嗯、
// 是的 / 否、不是、没有、还没、没、不. "不知道" is an error matching ErrUnsure.
func ParseYesNo(s string) (bool, error) {
	v, _, err := parseYesNo(s)
	return v, err
}

func parseYesNo(s string) (bool, bool, error) {
	const help = "请回答“是”或“否”（也可以说 对/有/没有/不是/还没）。"
	n, est, err := prepare(s, help)
	if err != nil {
		return false, false, err
	}
	for _, w := range yesNoHedges {
		n = strings.ReplaceAll(n, w, "")
	}
	core := strings.TrimRight(n, "啊呀吧的呢哦了嘛啦哈,，")
	if core == "" {
		core = n
	}
	if yesWords[core] || yesWords[n] {
		return true, est, nil
	}
	if noWords[core] || noWords[n] {
		return false, est, nil
	}
	for _, p := range noPrefixes {
		if strings.HasPrefix(n, p) {
			return false, est, nil
		}
	}
	for _, p := range yesPrefixes {
		if strings.HasPrefix(n, p) && !strings.ContainsAny(n, "不没未否非") {
			return true, est, nil
		}
	}
	return false, false, hint("没看懂这个回答。" + help)
}

var (
	negWords = []string{"同比下降了", "同比下降", "下降了", "下降", "降低了", "降低", "下滑了", "下滑", "减少了", "减少",
		"降了", "跌了", "少了", "负增长", "负", "减", "-"}
	posWords = []string{"同比增长了", "同比增长", "增长了", "增长", "增加了", "增加", "提高了", "提高", "上升了", "上升",
		"提升了", "提升", "涨了", "多了", "正增长", "同比", "+", "增", "涨"}
	flatWords = map[string]bool{"持平": true, "没变": true, "不变": true, "没变化": true, "没有变化": true, "零增长": true,
		"没增长": true, "没有增长": true, "无增长": true, "一样": true, "差不多一样": true, "同比持平": true}
	fanRe = lazyre.New(`^翻了?([一二两三四五六七八九十\d]*)(番|倍)$`)
	// periodRe is the period an answer restates before its figure (1-2月增长了35%).
	periodRe = lazyre.New(`^(?:\d{4}年|今年|去年)?(?:1-2月|1~2月|1至2月|1到2月|一二月|一至二月|一到二月|1、2月|前两个月|头两个月|3月|三月|当月|上月)?(?:份)?(?:合计|合并|加起来|一共)?(?:的)?(?:产值)?(?:的)?`)
)

// ParsePercent reads a percentage as people say it: 35、35%、百分之三十五、
// 三成半 (35)、翻了一番 (100)、翻两番 (300)、增长了一倍 (100)、下降了5% (−5)、
// 降了百分之五 (−5)、持平 (0)、1-2月增长了35%. An estimate (三十几, 35%多,
// 三四十) is its lower bound. The result is in percent.
func ParsePercent(s string) (float64, error) {
	v, _, err := parsePercent(s)
	return v, err
}

func parsePercent(s string) (float64, bool, error) {
	const help = "请用数字回答百分比，例如：35、35%、百分之三十五、三成半、翻了一番、下降了5%。"
	n, est, err := prepare(s, help)
	if err != nil {
		return 0, false, err
	}
	if loc := periodRe.FindStringIndex(n); loc != nil && loc[1] < len(n) {
		n = n[loc[1]:]
	}
	n, e1 := stripHedges(n)
	est = est || e1
	if flatWords[n] {
		return 0, est, nil
	}
	sign := 1.0
	for _, w := range negWords {
		if strings.HasPrefix(n, w) {
			sign, n = -1, strings.TrimPrefix(n, w)
			break
		}
	}
	if sign > 0 {
		for _, w := range posWords {
			if strings.HasPrefix(n, w) {
				n = strings.TrimPrefix(n, w)
				break
			}
		}
	}
	n = strings.TrimPrefix(n, "了")
	n, e2 := stripHedges(n)
	low, e3, ok := lowerBound(n)
	if !ok {
		return 0, false, hint("请给出一个数字，大概的也可以（例如“三十多”）。" + help)
	}
	n, est = low, est || e2 || e3
	if n == "" {
		return 0, false, hint("没看到数字。" + help)
	}
	if n == "翻番" || n == "翻倍" || n == "翻了" {
		n = "翻一番"
	}
	if m := fanRe.FindStringSubmatch(n); m != nil {
		if sign < 0 {
			return 0, false, hint("“翻番”只能是增长。" + help)
		}
		times := 1.0
		if m[1] != "" {
			v, ok := parseNumber(m[1])
			if !ok || v < 1 || v > 10 || v != math.Trunc(v) {
				return 0, false, hint("没看懂翻了几番。" + help)
			}
			times = v
		}
		if m[2] == "番" {
			return (math.Pow(2, times) - 1) * 100, est, nil
		}
		return times * 100, est, nil // 翻了一倍 = 增长100%
	}
	var v float64
	switch {
	case strings.HasSuffix(n, "倍"):
		x, ok := parseNumber(strings.TrimSuffix(n, "倍"))
		if !ok || sign < 0 {
			return 0, false, hint("没看懂这个倍数。" + help)
		}
		v = x * 100 // 增长了一倍 = +100%
	case strings.HasPrefix(n, "百分之"):
		x, ok := parseNumber(strings.TrimPrefix(n, "百分之"))
		if !ok {
			return 0, false, hint("没看懂“百分之”后面的数字。" + help)
		}
		v = x
	case strings.HasSuffix(n, "成半"), strings.HasSuffix(n, "成"):
		half := strings.HasSuffix(n, "成半")
		x, ok := parseNumber(strings.TrimSuffix(strings.TrimSuffix(n, "半"), "成"))
		if !ok {
			return 0, false, hint("没看懂几成。" + help)
		}
		v = x * 10
		if half {
			v += 5
		}
	default:
		body := n
		for _, suf := range []string{"个百分点", "百分点", "个点", "%", "点"} {
			if strings.HasSuffix(body, suf) {
				body = strings.TrimSuffix(body, suf)
				break
			}
		}
		x, ok := parseNumber(body)
		if !ok {
			return 0, false, hint("没看懂这个百分比。" + help)
		}
		v = x
	}
	v *= sign
	if math.IsNaN(v) || math.Abs(v) > 1e6 {
		return 0, false, hint("这个百分比不合常理。" + help)
	}
	return v, est, nil
}

// parseNumber reads a whole plain number: 35, 12.5, 1,200, 三十五, 三十五点五, 两.
func parseNumber(s string) (float64, bool) {
	r, _, ok := zhtext.ParseNumber(s)
	if !ok {
		return 0, false
	}
	f, _ := r.Float64()
	return f, true
}

var (
	moneyNone = map[string]bool{"没有": true, "无": true, "没": true, "零": true, "0": true, "0元": true, "零元": true, "没有了": true,
		"都没有": true, "暂无": true, "还没有": true, "没交": true, "没有交": true, "没投": true, "没投保": true, "没有投保": true, "没有投": true,
		"未投保": true, "没买": true, "没有买": true, "没保": true, "不涉及": true, "没有采购": true, "没采购": true, "没收入": true, "没有收入": true}
	moneyPrefixes = []string{"¥", "￥", "rmb", "人民币"}
	moneySuffixes = []string{"元人民币", "人民币", "块钱", "块", "元", "rmb"}
)

// ParseMoney reads an amount of money in yuan, exactly as said: 3000万、
// 三千万元、0.3亿、1.2个亿、3,000,000、300万元、5千万、1亿2000万、12345.6元、
// 没有 (0). An estimate (3000多万, 八万多, 两千八九百万, 可能有3200万) is its
// lower bound. A bare number under 10,000 is refused: "3000" is more likely
// 3000万元 than 3000元, so the person is asked for the unit instead of being
// given a wrong number. Nothing is rounded here: the award is computed
// exactly and rounded down once, as `huiqi award` does.
func ParseMoney(s string) (float64, error) {
	v, _, err := parseMoney(s)
	return v, err
}

func parseMoney(s string) (float64, bool, error) {
	const help = "请写明金额和单位，例如：3000万、三千万元、0.3亿、1.2个亿、3,000,000元、800元；大概的也可以，例如“八万多”。"
	n, est, err := prepare(s, help)
	if err != nil {
		return 0, false, err
	}
	if moneyNone[n] || moneyNone[strings.TrimRight(n, "啊呀吧的呢哦了嘛")] {
		return 0, false, nil
	}
	if n == "-" || n == "负" {
		return 0, false, hint("没看到数字。" + help)
	}
	if strings.HasPrefix(n, "-") || strings.HasPrefix(n, "负") {
		return 0, false, hint("金额不能是负数。" + help)
	}
	n, e1 := stripHedges(n)
	for changed := true; changed; {
		changed = false
		for _, p := range moneyPrefixes {
			if strings.HasPrefix(n, p) {
				n, changed = strings.TrimPrefix(n, p), true
			}
		}
		for _, p := range moneySuffixes {
			if strings.HasSuffix(n, p) {
				n, changed = strings.TrimSuffix(n, p), true
			}
		}
		var e bool
		if n, e = stripHedges(n); e {
			e1 = true
		}
	}
	low, e2, ok := lowerBound(n)
	if !ok {
		return 0, false, hint("请给出一个金额，大概的也可以（例如“八万多”“3200万左右”）。" + help)
	}
	n, est = low, est || e1 || e2
	if n == "" {
		return 0, false, hint("没看到数字。" + help)
	}
	v, _, ok := zhtext.ParseNumber(n)
	if !ok {
		return 0, false, hint("没看懂这个金额。" + help)
	}
	// Under 10,000 the unit must be said: "3000" or "一千二" is more likely
	// 万元 than 元, and a wrong number is worse than a second question.
	explicit := strings.ContainsAny(normalize(s), "元块")
	if v.Sign() > 0 && v.Cmp(big.NewRat(10000, 1)) < 0 && !explicit {
		return 0, false, hint("请写明单位：是" + v.FloatString(0) + "元，还是" + v.FloatString(0) + "万元？")
	}
	if v.Cmp(big.NewRat(maxMoneyYuan, 1)) > 0 {
		return 0, false, hint("金额太大了，请检查单位。" + help)
	}
	f, _ := v.Float64()
	return f, est, nil
}

var (
	yearRelative = map[string]int{"今年": 0, "本年": 0, "本年度": 0, "今年度": 0, "去年": 1, "上年": 1, "上一年": 1, "上年度": 1,
		"前年": 2, "大前年": 3}
	yearsAgoRe = lazyre.New(`^([一二两三四五六七八九十\d]+)年(以)?前$`)
	cnYearRe   = lazyre.New(`^[〇零一二三四五六七八九]{2}([〇零一二三四五六七八九]{2})?$`)
	arYearRe   = lazyre.New(`^(\d{4}|\d{2})$`)
)

// ParseYear reads a year: 2021、2021年、21年、二〇二一年、去年、前年、今年、
// 三年前, relative to now. Years before 1949 or after now's year are refused.
func ParseYear(s string, now time.Time) (int, error) {
	thisYear := now.Year()
	help := "请回答年份，例如：2021、2021年、21年、去年、前年。"
	n, _, err := prepare(s, help)
	if err != nil {
		return 0, err
	}
	for _, p := range []string{"在", "是", "于"} {
		n = strings.TrimPrefix(n, p)
	}
	if d, ok := yearRelative[n]; ok {
		return thisYear - d, nil
	}
	if m := yearsAgoRe.FindStringSubmatch(n); m != nil {
		d, ok := parseNumber(m[1])
		if !ok || d < 0 || d > 80 || d != math.Trunc(d) {
			return 0, hint("没看懂是几年前。" + help)
		}
		return thisYear - int(d), nil
	}
	for _, suf := range []string{"年度", "年"} {
		if strings.HasSuffix(n, suf) {
			n = strings.TrimSuffix(n, suf)
			break
		}
	}
	var y int
	switch {
	case arYearRe.MatchString(n):
		y, _ = strconv.Atoi(n)
	case cnYearRe.MatchString(n):
		for _, r := range n {
			d, _ := zhtext.Digit(r)
			y = y*10 + d
		}
	default:
		return 0, hint("没看懂这个年份。" + help)
	}
	if len([]rune(n)) == 2 {
		y += 2000
		if y > thisYear {
			y -= 100
		}
	}
	if y < 1949 || y > thisYear {
		return 0, hint("年份应在1949年到" + strconv.Itoa(thisYear) + "年之间（不能晚于今年）。" + help)
	}
	return y, nil
}

// ParseCount reads a small whole number of years: 3、3年、三年、连续三年、
// 没有 (0); 三年多 is 3, an estimate.
func ParseCount(s string) (int, error) {
	v, _, err := parseCount(s)
	return v, err
}

func parseCount(s string) (int, bool, error) {
	const help = "请回答年数，例如：3、3年、三年。"
	n, est, err := prepare(s, help)
	if err != nil {
		return 0, false, err
	}
	if moneyNone[n] || n == "不在规" || n == "没在规" {
		return 0, false, nil
	}
	n, e1 := stripHedges(n)
	n = strings.TrimPrefix(n, "连续")
	n = strings.TrimPrefix(n, "已经")
	n = strings.TrimSuffix(n, "了")
	if t, ok := strings.CutSuffix(n, "年多"); ok {
		n, e1 = t+"年", true // 三年多: at least three
	}
	low, e2, ok := lowerBound(n)
	if !ok {
		return 0, false, hint("请给出具体的年数。" + help)
	}
	n = strings.TrimSuffix(strings.TrimSuffix(low, "年"), "个")
	v, ok := parseNumber(n)
	if !ok || v != math.Trunc(v) {
		return 0, false, hint("没看懂这个年数。" + help)
	}
	if v < 0 || v > 200 {
		return 0, false, hint("年数不合常理。" + help)
	}
	return int(v), est || e1 || e2, nil
}

// titleAlias is one way people name a title, for the answer parser.
type titleAlias struct{ alias, title string }

// aliases are the ways people name t's titles, longest first so that
// 国家级专精特新小巨人 is not read as 小巨人.
func (t *Table) aliases() []titleAlias {
	var out []titleAlias
	for _, x := range t.Titles {
		for _, a := range append([]string{normalize(x.Name)}, x.Say...) {
			if a = strings.NewReplacer("“", "", "”", "").Replace(normalize(a)); a != "" {
				out = append(out, titleAlias{a, x.Code})
			}
		}
	}
	slices.SortStableFunc(out, func(a, b titleAlias) int { return len(b.alias) - len(a.alias) })
	return out
}

var (
	recogNone = map[string]bool{"没有": true, "无": true, "没": true, "都没有": true, "都没": true, "没评上": true,
		"没有认定": true, "没有认定过": true, "没认定过": true, "一个都没有": true, "否": true, "不是": true, "暂无": true,
		"还没有": true, "还没": true, "一个也没有": true, "都不是": true, "没有称号": true}
	recogSplit = lazyre.New(`[,，、;；。和及与/]+|以及|还有`)
	recogYear  = lazyre.New(`[一二两三四五六七八九十\d]+年以?前|\d{4}|\d{2}年|[〇零一二三四五六七八九]{4}年?|[〇零一二三四五六七八九]{2}年|大前年|前年|去年|今年|上年`)
)

// ParseRecognitions reads the titles first recognised and their years:
// “省级专精特新2021年，小巨人2022年”, “2021年评上国家级小巨人”, “专精特新小巨人，
// 2021年” (a year after its title), “國家級專精特新小巨人 2022年”, “没有”
// (none). Each title needs its own year; a title twice is kept once, at
// its earliest year (the first recognition).
func ParseRecognitions(s string, now time.Time) ([]Recognition, error) {
	t, err := Builtin()
	if err != nil {
		return nil, err
	}
	return t.parseRecognitions(s, now)
}

func (t *Table) parseRecognitions(s string, now time.Time) ([]Recognition, error) {
	var names []string
	for _, x := range t.Titles {
		names = append(names, strings.NewReplacer("“", "", "”", "").Replace(x.Name))
	}
	help := "请说明称号和认定年份，例如：" + names[0] + " " + strconv.Itoa(t.PolicyYear) + "年；没有就回答“没有”。可选称号：" + strings.Join(names, "、") + "。"
	titleAliases := t.aliases()
	if utf8.RuneCountInString(s) > 200 {
		return nil, hint("回答太长了。" + help)
	}
	whole := normalize(s)
	if whole == "" {
		return nil, hint("没有收到回答。" + help)
	}
	core := strings.TrimRight(whole, "啊呀吧的呢哦了嘛啦")
	if recogNone[whole] || recogNone[core] {
		return []Recognition{}, nil
	}
	if isQuestion(whole) {
		return nil, &AnswerError{Msg: "这一项需要您来回答哦。" + help, Question: true}
	}
	if isUnsure(whole) && !hasFigure(whole) {
		return nil, unsure()
	}
	clean := strings.NewReplacer("“", "", "”", "", "\"", "", "'", "", "「", "", "」", "", "《", "", "》", "").Replace(zhtext.Simplify(strings.ToLower(s)))
	var out []Recognition
	index := map[string]int{}
	var pending []string // titles whose year comes in the next part (小巨人，2021年)
	add := func(t string, y int) {
		if j, ok := index[t]; ok {
			if y < out[j].Year {
				out[j].Year = y
			}
			return
		}
		index[t] = len(out)
		out = append(out, Recognition{Title: t, Year: y})
	}
	for _, seg := range recogSplit.Split(clean, -1) {
		seg = normalize(seg)
		if seg == "" {
			continue
		}
		// Titles in order of position; each found title is blanked out so
		// that its digits-free words don't hide the years around it.
		var titles []string
		var rest strings.Builder
		for i := 0; i < len(seg); {
			matched := false
			for _, a := range titleAliases {
				if strings.HasPrefix(seg[i:], a.alias) {
					titles = append(titles, a.title)
					rest.WriteString("|")
					i += len(a.alias)
					matched = true
					break
				}
			}
			if !matched {
				_, size := utf8.DecodeRuneInString(seg[i:])
				rest.WriteString(seg[i : i+size])
				i += size
			}
		}
		years := recogYear.FindAllString(rest.String(), -1)
		switch {
		case len(titles) == 0 && len(years) > 0 && len(pending) == len(years):
			titles, pending = pending, nil
		case len(titles) == 0 && len(years) > 0:
			return nil, hint("“" + seg + "”没有说是哪个称号。" + help)
		case len(titles) == 0:
			continue // filler such as 还有
		case len(years) == 0 && len(pending) == 0:
			pending = titles
			continue
		}
		if len(pending) > 0 || len(years) != len(titles) {
			return nil, hint("请为每个称号分别说明首次认定的年份。" + help)
		}
		for i, t := range titles {
			y, err := ParseYear(years[i], now)
			if err != nil {
				return nil, hint(err.Error())
			}
			add(t, y)
		}
	}
	if len(pending) > 0 {
		return nil, hint("请为每个称号分别说明首次认定的年份。" + help)
	}
	if len(out) == 0 {
		return nil, hint("没看出是哪个称号。" + help)
	}
	return out, nil
}

// ParseAnswer reads an answer to a question of kind of the built-in
// questionnaire, with whether it was an estimate.
func ParseAnswer(kind, s string, now time.Time) (Reading, error) {
	t, err := Builtin()
	if err != nil {
		return Reading{}, err
	}
	return t.parseAnswer(kind, s, now)
}

func (t *Table) parseAnswer(kind, s string, now time.Time) (Reading, error) {
	r := Reading{Said: strings.TrimSpace(s)}
	var err error
	switch kind {
	case KindBool:
		var v bool
		v, r.Estimate, err = parseYesNo(s)
		r.Value = v
	case KindGrowth, KindRate:
		var v float64
		v, r.Estimate, err = parsePercent(s)
		r.Value = v
	case KindMoney:
		var v float64
		v, r.Estimate, err = parseMoney(s)
		r.Value = v
	case KindCount:
		var v int
		v, r.Estimate, err = parseCount(s)
		r.Value = v
	case KindTitles:
		var v []Recognition
		v, err = t.parseRecognitions(s, now)
		r.Value = v
	default:
		err = fmt.Errorf("unknown question kind %q", kind)
	}
	return r, err
}
