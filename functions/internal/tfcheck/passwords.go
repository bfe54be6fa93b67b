package tfcheck

import (
	"fmt"
	"strings"
)

// PasswordRule is a provider-side validator our offline provider does not run: the password
// arguments of TencentDB for MySQL and Redis take only letters, digits and the specials below, and
// at least two of those three classes (upper and lower case count as one), Redis 8–16 characters.
type PasswordRule struct {
	Resource, Attribute string
	MinLen, MaxLen      int
}

// PasswordRules are the arguments the tencentcloud provider validates this way (1.83.25).
var PasswordRules = []PasswordRule{
	{"tencentcloud_redis_instance", "password", 8, 16},
	{"tencentcloud_mysql_account", "password", 8, 64},
	{"tencentcloud_mysql_instance", "root_password", 8, 64},
}

// PasswordSpecials are the special characters those arguments accept.
const PasswordSpecials = "_+-&=!@#$%^*()"

// The random provider's own default for special characters.
const randomDefaultSpecials = "!@#$%&*()-_=+[]{}<>:?"

// CheckPasswords finds, for every password argument of PasswordRules in the plan, the
// random_password it is made from and says where that generator could produce a value the
// provider rejects. A password not made by a random_password is reported too: we generate them all.
func CheckPasswords(p *Plan) []string {
	var problems []string
	for _, rule := range PasswordRules {
		for _, rc := range p.Of(rule.Resource) {
			refs := p.References(rc, rule.Attribute)
			var gen *ResourceChange
			for _, ref := range refs {
				if strings.HasPrefix(ref, "random_password.") && strings.Count(ref, ".") == 1 {
					gen = p.Find(rc.ModuleAddress, ref)
				}
			}
			if gen == nil {
				problems = append(problems, fmt.Sprintf("%s.%s is not made by a random_password (references %v)", rc.Address, rule.Attribute, refs))
				continue
			}
			for _, why := range randomPasswordProblems(gen.Change.After, rule) {
				problems = append(problems, fmt.Sprintf("%s.%s from %s: %s", rc.Address, rule.Attribute, gen.Address, why))
			}
		}
	}
	return problems
}

// randomPasswordProblems says how a random_password with these arguments can miss the rule.
// Arguments the plan leaves unknown take the random provider's defaults.
func randomPasswordProblems(args map[string]any, rule PasswordRule) []string {
	num := func(k string) int {
		if f, ok := args[k].(float64); ok {
			return int(f)
		}
		return 0
	}
	flag := func(k string) bool {
		if b, ok := args[k].(bool); ok {
			return b
		}
		return true
	}
	var out []string
	if n := num("length"); n < rule.MinLen || n > rule.MaxLen {
		out = append(out, fmt.Sprintf("length %d outside %d–%d", n, rule.MinLen, rule.MaxLen))
	}
	specials := randomDefaultSpecials
	if s, ok := args["override_special"].(string); ok && s != "" {
		specials = s
	}
	if flag("special") {
		for _, c := range specials {
			if !strings.ContainsRune(PasswordSpecials, c) {
				out = append(out, fmt.Sprintf("special character %q is not accepted", c))
			}
		}
	}
	classes := 0
	if (flag("lower") && num("min_lower") > 0) || (flag("upper") && num("min_upper") > 0) {
		classes++
	}
	if flag("numeric") && num("min_numeric") > 0 {
		classes++
	}
	if flag("special") && num("min_special") > 0 {
		classes++
	}
	if classes < 2 {
		out = append(out, fmt.Sprintf("guarantees %d of the classes letters, digits, specials; the provider needs 2 (set min_lower/min_upper, min_numeric, min_special)", classes))
	}
	return out
}
