package zhtext

// levels name the government levels an award or a unit belongs to.
var levels = map[string]string{"district": "区级", "county": "县级", "city": "市级", "province": "省级", "national": "国家级"}

// LevelName is the Chinese name of a government level: district 区级, county 县级, city
// 市级, province 省级, national 国家级; "" for a level it does not know.
func LevelName(level string) string { return levels[level] }
