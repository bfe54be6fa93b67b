package readcache

import (
	"go/ast"
	"go/parser"
	"go/token"
	"reflect"
	"slices"
	"sort"
	"strings"
	"testing"

	"github.com/jianbao/admin/shared/appraisal"
)

// reads are the store's methods that change nothing.
var reads = []string{"Can", "Categories", "Certificate", "CertificateByToken", "CountUsers", "Customer", "Dashboard",
	"DeletedMedia", "RejectedOriginals", "StuckMedia", "Expert", "Experts", "Grant", "Item", "ListAudit", "ListCertificates", "Settings", "ListCustomers", "ListItems", "ListMedia", "ListOrders", "TroubledMedia",
	"ListUsers", "LoginAttempts", "KnownPairs", "Media", "MediaByKey", "MediaOwner", "MediaStats", "Order", "OrderDetail", "OrderSource", "PastExperts",
	"Permissions", "Product", "Products", "SessionsOf", "UserByID", "UserByUsername", "VisibleMedia"}

// writes maps every method that changes the database to the epochs it must bump: what the cached
// reads (Grant, Can, ListOrders, OrderDetail, Customer) are built from. An empty list says, on
// purpose, that the write changes nothing any cached read returns.
var writes = map[string][]string{
	// sessions, accounts, roles, expert profiles: the grant
	"RotateRefresh":      {EpochAuth}, // a reused token revokes the session family
	"RevokeSession":      {EpochAuth},
	"RevokeUserSessions": {EpochAuth},
	"SetPermissions":     {EpochAuth},
	"SeedPermissions":    {EpochAuth},
	"UpdateUser":         {EpochAuth, EpochOrders}, // role, disabled; timelines show the display name
	"CreateExpert":       {EpochAuth},              // the grant carries the caller's expert id
	"UpdateExpert":       {EpochAuth},
	"CreateSession":      {},          // a new session has no cached grant yet
	"SetPassword":        {EpochAuth}, // the grant carries must_change_password
	"CreateUser":         {},          // a new account has no sessions
	"RecordLogin":        {},
	// orders and what their details show
	"CreateOrder":       {EpochOrders},
	"ApplyOrderChange":  {EpochOrders},
	"RevokeCertificate": {EpochOrders},
	"UpdateCustomer":    {EpochOrders}, // Customer is cached; details show the customer
	"RemoveCustomer":    {EpochOrders}, // Customer is cached; a merge rewrites orders
	"RemoveItem":        {EpochOrders}, // a merge moves orders
	"CreateCustomer":    {},            // no order shows it yet
	"CreateItem":        {},            // orders copy the item's title when created
	"UpdateItem":        {EpochOrders}, // an order's detail shows its item
	"CreateCategory":    {},
	"UpdateCategory":    {}, // orders keep their category id; nothing cached shows its name
	"CreateProduct":     {},
	"UpdateProduct":     {},
	// media, audit, idempotency: nothing cached reads them
	"CreateMedia": {}, "SetMediaKey": {}, "ClaimMedia": {}, "RenewMediaLease": {}, "CompleteMedia": {}, "ResetMedia": {}, "DeleteMedia": {}, "PurgeMedia": {}, "MarkOriginalRemoved": {},
	"PruneAudit": {}, "RecordAudit": {}, "SetSettings": {}, "BeginIdempotent": {}, "FinishIdempotent": {}, "AbandonIdempotent": {},
}

// TestEveryMethodIsClassified: a method added to the store fails here until someone says whether
// it writes and what it invalidates.
func TestEveryMethodIsClassified(t *testing.T) {
	st := reflect.TypeOf((*appraisal.Store)(nil)).Elem()
	var missing []string
	for i := range st.NumMethod() {
		name := st.Method(i).Name
		_, w := writes[name]
		r := slices.Contains(reads, name)
		if w == r {
			missing = append(missing, name)
		}
	}
	sort.Strings(missing)
	if len(missing) > 0 {
		t.Errorf("classify these store methods in classify_test.go (read, or write with the epochs it bumps): %s", strings.Join(missing, ", "))
	}
	for name := range writes {
		if _, ok := st.MethodByName(name); !ok {
			t.Errorf("writes lists %s, which the store does not have", name)
		}
	}
}

// TestWritesBumpTheirEpochs reads this package's source: every write said to bump epochs is
// overridden on *Store and its body bumps each of them.
func TestWritesBumpTheirEpochs(t *testing.T) {
	f, err := parser.ParseFile(token.NewFileSet(), "readcache.go", nil, 0)
	if err != nil {
		t.Fatal(err)
	}
	bumps := map[string][]string{}
	for _, d := range f.Decls {
		fn, ok := d.(*ast.FuncDecl)
		if !ok || fn.Recv == nil || len(fn.Recv.List) != 1 {
			continue
		}
		if star, ok := fn.Recv.List[0].Type.(*ast.StarExpr); !ok || star.X.(*ast.Ident).Name != "Store" {
			continue
		}
		bumps[fn.Name.Name] = []string{}
		ast.Inspect(fn.Body, func(n ast.Node) bool {
			call, ok := n.(*ast.CallExpr)
			if !ok {
				return true
			}
			if sel, ok := call.Fun.(*ast.SelectorExpr); ok && sel.Sel.Name == "bump" {
				for _, a := range call.Args[1:] {
					if id, ok := a.(*ast.Ident); ok {
						bumps[fn.Name.Name] = append(bumps[fn.Name.Name], map[string]string{"EpochAuth": EpochAuth, "EpochOrders": EpochOrders}[id.Name])
					}
				}
			}
			return true
		})
	}
	for name, epochs := range writes {
		got, overridden := bumps[name]
		if len(epochs) > 0 && !overridden {
			t.Errorf("%s writes what cached reads return but passes straight through: override it and bump %v", name, epochs)
		}
		for _, e := range epochs {
			if !slices.Contains(got, e) {
				t.Errorf("%s must bump %s; it bumps %v", name, e, got)
			}
		}
	}
}
