// Package zhtext holds the conventions of Chinese text that several parts of
// huiqi share: numerals (一百零五, 三千万, 1.2个亿), traditional → simplified
// script, money as people write it (2.5万元), dates (2023年2月13日), China's
// time zone and the names of government levels (区级, 市级, 省级).
//
// It owns how these are written and read, and nothing else: it knows no
// notice, measure, amount or rule of policy. A fact about the government
// never belongs here; the way a number or a date is spelt does.
package zhtext
