package knowledge

// Where a notice applies and at what level of government: from its issuing
// office (昆明市官渡区人民政府 → 昆明市官渡区), else from the prefix of its
// 文号 as reviewed in source/notices.json (苏政发 → 江苏省), else from the
// place its title opens with; the person ingesting it may say (--place).

import (
	"strings"
	"unicode/utf8"
)

// placeEnds are the characters a place's name ends with.
const placeEnds = "省市区县旗州盟"

// placeOfOffice is the place in an office's name: 阳泉市城区 of
// 阳泉市城区人民政府办公室, 嵊州市 of 嵊州市经济和信息化局; "" when the name
// holds none (市招商投资中心).
func placeOfOffice(office string) string {
	office = strings.TrimSpace(office)
	for _, suf := range officeSuffixes {
		if p, ok := strings.CutSuffix(office, suf); ok && validPlace(p) {
			return p
		}
	}
	// A department: the place is up to the last place character that
	// leaves a department name after it (阳泉市城区 | 工业和信息化局).
	rs := []rune(office)
	for i := len(rs) - 2; i >= 1; i-- {
		if strings.ContainsRune(placeEnds, rs[i]) && validPlace(string(rs[:i+1])) && utf8.RuneCountInString(string(rs[i+1:])) >= 2 {
			return string(rs[:i+1])
		}
	}
	return ""
}

// validPlace: at least two characters before the level (官渡区, not 市),
// ending with one, and not a generic word (全市, 本区).
func validPlace(p string) bool {
	rs := []rune(p)
	if len(rs) < 2 || !strings.ContainsRune(placeEnds, rs[len(rs)-1]) {
		return false
	}
	switch rs[0] {
	case '全', '本', '各', '我', '该', '市', '区', '县', '省':
		return false
	}
	return true
}

// noticePlace decides a notice's place: the one given, the reviewed one of
// a known notice (source/notices.json), the issuer's, the 文号 prefix's, or
// the place its title begins with.
func noticePlace(n *Notice, given string) string {
	if g := strings.TrimSpace(given); g != "" {
		return g
	}
	if n.Place != "" {
		return n.Place
	}
	if data, err := loadNoticeData(); err == nil {
		// A known notice's place is reviewed.
		for _, k := range data.Known {
			if k.DocNo != "" && k.DocNo == n.DocNo && k.Place != "" {
				return k.Place
			}
		}
	}
	if p := placeOfOffice(n.Office); p != "" {
		return p
	}
	if data, err := loadNoticeData(); err == nil && n.DocNo != "" {
		best, place := "", ""
		for _, d := range data.DocPlaces {
			if strings.HasPrefix(n.DocNo, d.Prefix) && len(d.Prefix) > len(best) {
				best, place = d.Prefix, d.Place
			}
		}
		if place != "" {
			return place
		}
	}
	title := n.Title
	if title == "" && len(n.Packages) > 0 {
		title = n.Packages[0].Title
	}
	return placeOfOffice(leadingPlace(title))
}

// leadingPlace is the start of a title up to its first place character
// followed by a word that is not part of a name (关于, 加快…): 南昌市关于… →
// 南昌市人民政府 for placeOfOffice to read.
func leadingPlace(title string) string {
	rs := []rune(title)
	last := -1
	for i := 0; i < len(rs) && i < 12; i++ {
		if strings.ContainsRune(placeEnds, rs[i]) {
			last = i
		}
		if strings.HasPrefix(string(rs[i:]), "关于") || strings.HasPrefix(string(rs[i:]), "人民政府") {
			break
		}
	}
	if last < 1 {
		return ""
	}
	return string(rs[:last+1]) + "人民政府"
}

// placeLevel is the level of government of a place: 江苏省 province,
// 南昌市 city, 昆明市官渡区 district, 某某县 county; "" when unknown.
func placeLevel(place string) string {
	r, _ := utf8.DecodeLastRuneInString(place)
	switch {
	case place == "":
		return ""
	case r == '省' || strings.HasSuffix(place, "自治区") && !strings.Contains(place, "市"):
		return "province"
	case r == '区':
		return "district"
	case r == '县' || r == '旗':
		return "county"
	case r == '市' || r == '州' || r == '盟':
		return "city"
	}
	return ""
}
