package eligibility

import (
	"errors"
	"math"
	"math/big"
	"regexp"
	"strconv"
	"strings"
	"time"
	"unicode"
	"unicode/utf8"

	"huiqi/internal/zhtext"
)

// ErrUnsure is matched (errors.Is) by an answer error when the person said
// they do not know: the dialog skips the question instead of insisting.
var ErrUnsure = errors.New("answer: unsure")

// AnswerError is an answer the parsers refuse. Its message is the hint to
// show the person, in Chinese.
type AnswerError struct {
	Msg    string
	Unsure bool // the person said they do not know
}

func (e *AnswerError) Error() string { return e.Msg }

// InvalidInput marks the error as bad input.
func (e *AnswerError) InvalidInput() bool { return true }

// Is lets errors.Is(err, ErrUnsure) find answers of "不知道".
func (e *AnswerError) Is(target error) bool { return target == ErrUnsure && e.Unsure }

func hint(msg string) error { return &AnswerError{Msg: msg} }

const unsureHint = "不确定也没关系，可以回答“跳过”，这一项先不计算。"

// maxAnswerRunes bounds a short answer; longer text is not an answer to a
// yes/no or number question.
const maxAnswerRunes = 60

// normalize folds full-width forms to ASCII, lower-cases, drops spaces and
// the punctuation people end answers with.
func normalize(s string) string {
	var b strings.Builder
	for _, r := range s {
		switch {
		case r >= 0xFF01 && r <= 0xFF5E:
			r -= 0xFEE0
		case r == 0x3000:
			r = ' '
		case r == '−' || r == '－' || r == '﹣':
			r = '-'
		}
		if unicode.IsSpace(r) || r == '\u200b' || r == '\ufeff' {
			continue
		}
		b.WriteRune(unicode.ToLower(r))
	}
	return strings.TrimRight(b.String(), "。.!！~?？…")
}

var unsureWords = []string{"不知道", "不清楚", "不确定", "不记得", "记不清", "忘了", "说不准", "不好说", "不一定", "不太清楚",
	"跳过", "略过", "pass", "skip", "不晓得", "不了解", "没数", "可能", "也许", "大概吧", "不懂"}

func isUnsure(s string) bool {
	for _, w := range unsureWords {
		if strings.Contains(s, w) {
			return true
		}
	}
	return false
}

func unsure() error { return &AnswerError{Msg: unsureHint, Unsure: true} }

// prepare normalises an answer and refuses, with help, what no parser can
// read: nothing, too much, or "不知道" (an error matching ErrUnsure).
func prepare(s, help string) (string, error) {
	n := normalize(s)
	if n == "" {
		return "", hint("没有收到回答。" + help)
	}
	if utf8.RuneCountInString(n) > maxAnswerRunes {
		return "", hint("回答太长了。" + help)
	}
	if isUnsure(n) {
		return "", unsure()
	}
	return n, nil
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

// ParseYesNo understands yes and no as people say them: 是、对、有、嗯、
// 是的 / 否、不是、没有、还没、没、不. "不知道" is an error matching ErrUnsure.
func ParseYesNo(s string) (bool, error) {
	const help = "请回答“是”或“否”（也可以说 对/有/没有/不是/还没）。"
	n, err := prepare(s, help)
	if err != nil {
		return false, err
	}
	core := strings.TrimRight(n, "啊呀吧的呢哦了嘛啦哈,，")
	if core == "" {
		core = n
	}
	if yesWords[core] || yesWords[n] {
		return true, nil
	}
	if noWords[core] || noWords[n] {
		return false, nil
	}
	if strings.ContainsAny(n, "吗?") || strings.Contains(n, "是不是") || strings.Contains(n, "有没有") {
		return false, hint("这一项需要您来回答哦。" + help)
	}
	for _, p := range noPrefixes {
		if strings.HasPrefix(n, p) {
			return false, nil
		}
	}
	for _, p := range yesPrefixes {
		if strings.HasPrefix(n, p) && !strings.ContainsAny(n, "不没未否非") {
			return true, nil
		}
	}
	return false, hint("没看懂这个回答。" + help)
}

var (
	negWords = []string{"同比下降了", "同比下降", "下降了", "下降", "降低了", "降低", "下滑了", "下滑", "减少了", "减少",
		"降了", "跌了", "少了", "负增长", "负", "减", "-"}
	posWords = []string{"同比增长了", "同比增长", "增长了", "增长", "增加了", "增加", "提高了", "提高", "上升了", "上升",
		"提升了", "提升", "涨了", "多了", "正增长", "同比", "+", "增", "涨"}
	flatWords = map[string]bool{"持平": true, "没变": true, "不变": true, "没变化": true, "没有变化": true, "零增长": true,
		"没增长": true, "没有增长": true, "无增长": true, "一样": true, "差不多一样": true, "同比持平": true}
	fanRe = regexp.MustCompile(`^翻了?([一二两三四五六七八九十\d]*)(番|倍)$`)
)

// ParsePercent reads a percentage as people say it: 35、35%、百分之三十五、
// 三成半 (35)、翻了一番 (100)、翻两番 (300)、增长了一倍 (100)、下降了5% (−5)、
// 降了百分之五 (−5)、持平 (0). The result is in percent.
func ParsePercent(s string) (float64, error) {
	const help = "请用数字回答百分比，例如：35、35%、百分之三十五、三成半、翻了一番、下降了5%。"
	n, err := prepare(s, help)
	if err != nil {
		return 0, err
	}
	for _, w := range []string{"大约", "大概", "差不多", "约", "将近", "接近"} {
		n = strings.TrimPrefix(n, w)
	}
	n = strings.TrimSuffix(n, "左右")
	if strings.ContainsAny(n, "多几余来") && !strings.Contains(n, "多了") {
		return 0, hint("请给出一个具体的数字（不要“多”“几”之类的估计）。" + help)
	}
	if flatWords[n] {
		return 0, nil
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
	if n == "" {
		return 0, hint("没看到数字。" + help)
	}
	if n == "翻番" || n == "翻倍" || n == "翻了" {
		n = "翻一番"
	}
	if m := fanRe.FindStringSubmatch(n); m != nil {
		if sign < 0 {
			return 0, hint("“翻番”只能是增长。" + help)
		}
		times := 1.0
		if m[1] != "" {
			v, ok := parseNumber(m[1])
			if !ok || v < 1 || v > 10 || v != math.Trunc(v) {
				return 0, hint("没看懂翻了几番。" + help)
			}
			times = v
		}
		if m[2] == "番" {
			return (math.Pow(2, times) - 1) * 100, nil
		}
		return times * 100, nil // 翻了一倍 = 增长100%
	}
	var v float64
	switch {
	case strings.HasSuffix(n, "倍"):
		x, ok := parseNumber(strings.TrimSuffix(n, "倍"))
		if !ok || sign < 0 {
			return 0, hint("没看懂这个倍数。" + help)
		}
		v = x * 100 // 增长了一倍 = +100%
	case strings.HasPrefix(n, "百分之"):
		x, ok := parseNumber(strings.TrimPrefix(n, "百分之"))
		if !ok {
			return 0, hint("没看懂“百分之”后面的数字。" + help)
		}
		v = x
	case strings.HasSuffix(n, "成半"), strings.HasSuffix(n, "成"):
		half := strings.HasSuffix(n, "成半")
		x, ok := parseNumber(strings.TrimSuffix(strings.TrimSuffix(n, "半"), "成"))
		if !ok {
			return 0, hint("没看懂几成。" + help)
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
			return 0, hint("没看懂这个百分比。" + help)
		}
		v = x
	}
	v *= sign
	if math.IsNaN(v) || math.Abs(v) > 1e6 {
		return 0, hint("这个百分比不合常理。" + help)
	}
	return v, nil
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
	moneyNone     = map[string]bool{"没有": true, "无": true, "没": true, "零": true, "0": true, "0元": true, "零元": true, "没有了": true, "都没有": true, "暂无": true, "还没有": true, "没交": true, "没有投保": true}
	moneyPrefixes = []string{"大约", "大概", "差不多", "约", "¥", "￥", "rmb", "人民币"}
	moneySuffixes = []string{"元人民币", "人民币", "块钱", "块", "元", "rmb", "左右"}
)

// ParseMoney reads an amount of money and returns whole yuan: 3000万、三千万元、
// 0.3亿、1.2个亿、3,000,000、300万元、5千万、1亿2000万、没有 (0). A bare
// number under 10,000 is refused: "3000" is more likely 3000万元 than 3000元,
// so the person is asked for the unit instead of being given a wrong number.
func ParseMoney(s string) (int64, error) {
	const help = "请写明金额和单位，例如：3000万、三千万元、0.3亿、1.2个亿、3,000,000元、800元。"
	n, err := prepare(s, help)
	if err != nil {
		return 0, err
	}
	if moneyNone[n] {
		return 0, nil
	}
	if n == "-" || n == "负" {
		return 0, hint("没看到数字。" + help)
	}
	if strings.HasPrefix(n, "-") || strings.HasPrefix(n, "负") {
		return 0, hint("金额不能是负数。" + help)
	}
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
	}
	if strings.ContainsAny(n, "多几余来") {
		return 0, hint("请给出一个具体的金额（不要“多”“几”之类的估计，例如3200万）。" + help)
	}
	if n == "" {
		return 0, hint("没看到数字。" + help)
	}
	v, _, ok := zhtext.ParseNumber(n)
	if !ok {
		return 0, hint("没看懂这个金额。" + help)
	}
	// Under 10,000 the unit must be said: "3000" or "一千二" is more likely
	// 万元 than 元, and a wrong number is worse than a second question.
	explicit := strings.ContainsAny(normalize(s), "元块")
	if v.Sign() > 0 && v.Cmp(big.NewRat(10000, 1)) < 0 && !explicit {
		return 0, hint("请写明单位：是" + v.FloatString(0) + "元，还是" + v.FloatString(0) + "万元？")
	}
	if v.Cmp(big.NewRat(maxMoneyYuan, 1)) > 0 {
		return 0, hint("金额太大了，请检查单位。" + help)
	}
	// Round to the nearest yuan: 12345.6元 is 12346元.
	half := new(big.Rat).Add(v, big.NewRat(1, 2))
	q := new(big.Int).Quo(half.Num(), half.Denom())
	return q.Int64(), nil
}

var (
	yearRelative = map[string]int{"今年": 0, "本年": 0, "本年度": 0, "今年度": 0, "去年": 1, "上年": 1, "上一年": 1, "上年度": 1,
		"前年": 2, "大前年": 3}
	yearsAgoRe = regexp.MustCompile(`^([一二两三四五六七八九十\d]+)年(以)?前$`)
	cnYearRe   = regexp.MustCompile(`^[〇零一二三四五六七八九]{2}([〇零一二三四五六七八九]{2})?$`)
	arYearRe   = regexp.MustCompile(`^(\d{4}|\d{2})$`)
)

// ParseYear reads a year: 2021、2021年、21年、二〇二一年、去年、前年、今年、
// 三年前, relative to now. Years before 1949 or after now's year are refused.
func ParseYear(s string, now time.Time) (int, error) {
	thisYear := now.Year()
	help := "请回答年份，例如：2021、2021年、21年、去年、前年。"
	n, err := prepare(s, help)
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
		return 0, hint("年份应在1949年到" + strconv.Itoa(thisYear) + "年之间。" + help)
	}
	return y, nil
}

// ParseCount reads a small whole number of years: 3、3年、三年、连续三年、没有 (0).
func ParseCount(s string) (int, error) {
	const help = "请回答年数，例如：3、3年、三年。"
	n, err := prepare(s, help)
	if err != nil {
		return 0, err
	}
	if moneyNone[n] || n == "不在规" || n == "没在规" {
		return 0, nil
	}
	n = strings.TrimPrefix(n, "连续")
	n = strings.TrimPrefix(n, "已经")
	n = strings.TrimSuffix(n, "了")
	n = strings.TrimSuffix(n, "年")
	n = strings.TrimSuffix(n, "个")
	if strings.ContainsAny(n, "多几余来") {
		return 0, hint("请给出具体的年数。" + help)
	}
	v, ok := parseNumber(n)
	if !ok || v != math.Trunc(v) {
		return 0, hint("没看懂这个年数。" + help)
	}
	if v < 0 || v > 200 {
		return 0, hint("年数不合常理。" + help)
	}
	return int(v), nil
}

// titleAliases maps how people name a title to its code, longest first so
// that 国家级专精特新小巨人 is not read as 小巨人.
var titleAliases = []struct{ alias, title string }{
	{"国家级专精特新小巨人", TitleNationalLittleGiant}, {"国家专精特新小巨人", TitleNationalLittleGiant},
	{"国家级小巨人", TitleNationalLittleGiant}, {"国家小巨人", TitleNationalLittleGiant},
	{"制造业单项冠军", TitleSingleChampion}, {"单项冠军", TitleSingleChampion}, {"冠军", TitleSingleChampion},
	{"专精特新小巨人", TitleLittleGiant}, {"小巨人", TitleLittleGiant},
	{"省级专精特新", TitleProvincialZJTX}, {"省专精特新", TitleProvincialZJTX}, {"专精特新", TitleProvincialZJTX},
}

var (
	recogNone = map[string]bool{"没有": true, "无": true, "没": true, "都没有": true, "都没": true, "没评上": true,
		"没有认定": true, "没有认定过": true, "没认定过": true, "一个都没有": true, "否": true, "不是": true, "暂无": true,
		"还没有": true, "还没": true}
	recogSplit = regexp.MustCompile(`[,，、;；。和及与/]+|以及|还有`)
	recogYear  = regexp.MustCompile(`[一二两三四五六七八九十\d]+年以?前|\d{4}|\d{2}年|[〇零一二三四五六七八九]{4}年?|[〇零一二三四五六七八九]{2}年|大前年|前年|去年|今年|上年`)
)

// ParseRecognitions reads the titles first recognised and their years:
// “省级专精特新2021年，小巨人2022年”, “2021年评上国家级小巨人”, “没有” (none).
// Each title needs its own year; a title twice is kept once, at its earliest year.
func ParseRecognitions(s string, now time.Time) ([]Recognition, error) {
	const help = "请说明称号和首次认定年份，例如：省级专精特新 2021年，小巨人 2022年；没有就回答“没有”。可选称号：省级专精特新、专精特新小巨人、单项冠军、国家级专精特新小巨人。"
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
	if isUnsure(whole) {
		return nil, unsure()
	}
	clean := strings.NewReplacer("“", "", "”", "", "\"", "", "'", "", "「", "", "」", "", "《", "", "》", "").Replace(strings.ToLower(s))
	var out []Recognition
	index := map[string]int{}
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
		if len(titles) == 0 {
			if len(years) > 0 {
				return nil, hint("“" + seg + "”没有说是哪个称号。" + help)
			}
			continue // filler such as 还有
		}
		if len(years) != len(titles) {
			return nil, hint("请为每个称号分别说明首次认定的年份。" + help)
		}
		for i, t := range titles {
			y, err := ParseYear(years[i], now)
			if err != nil {
				return nil, hint(err.Error())
			}
			if j, ok := index[t]; ok {
				if y < out[j].Year {
					out[j].Year = y
				}
				continue
			}
			index[t] = len(out)
			out = append(out, Recognition{Title: t, Year: y})
		}
	}
	if len(out) == 0 {
		return nil, hint("没看出是哪个称号。" + help)
	}
	return out, nil
}
