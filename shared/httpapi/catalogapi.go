package httpapi

import (
	"context"
	"net/http"
	"strings"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
)

type categoryView struct {
	ID       string `json:"id"`
	ParentID string `json:"parent_id" doc:"Empty for a top-level category"`
	Code     string `json:"code" example:"porcelain"`
	Name     string `json:"name" example:"瓷器"`
	Sort     int    `json:"sort"`
}

func viewCategory(c appraisal.Category) categoryView {
	return categoryView{ID: formatID(c.ID), ParentID: formatOptionalID(c.ParentID), Code: c.Code, Name: c.Name, Sort: c.Sort}
}

type categoriesOutput struct {
	Body struct {
		Items []categoryView `json:"items" doc:"Every category, parents before children; build the tree with parent_id"`
	}
}

type createCategoryInput struct {
	Body struct {
		ParentID string `json:"parent_id,omitempty" maxLength:"20"`
		Code     string `json:"code" minLength:"2" maxLength:"32" pattern:"^[a-z0-9-]+$"`
		Name     string `json:"name" minLength:"1" maxLength:"64"`
		Sort     int    `json:"sort,omitempty"`
	}
}

type categoryOutput struct {
	Body categoryView
}

type customerView struct {
	ID            string    `json:"id"`
	Name          string    `json:"name" example:"王先生"`
	Phone         string    `json:"phone" doc:"The full number for roles allowed to see it, otherwise masked" example:"138****5678"`
	PhoneMasked   string    `json:"phone_masked" example:"138****5678"`
	Note          string    `json:"note"`
	Blocked       bool      `json:"blocked"`
	BlockedReason string    `json:"blocked_reason"`
	Version       int64     `json:"version"`
	CreatedAt     time.Time `json:"created_at"`
	UpdatedAt     time.Time `json:"updated_at"`
}

// viewCustomer shows the phone number in full only when the caller's role may see it.
func (d *Deps) viewCustomer(c *appraisal.Customer, enc []byte, full bool) customerView {
	v := customerView{ID: formatID(c.ID), Name: c.Name, Phone: c.PhoneMasked, PhoneMasked: c.PhoneMasked, Note: c.Note,
		Blocked: c.Blocked, BlockedReason: c.BlockedReason, Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	if full && len(enc) > 0 {
		if p, err := d.PII.Open(enc); err == nil {
			v.Phone = p
		}
	}
	return v
}

func (d *Deps) canSeePhone(ctx context.Context) (bool, error) {
	return d.Auth.Can(ctx, principalFrom(ctx), appraisal.CapViewCustomerPhone)
}

type customersInput struct {
	ListParams
	Q       string `query:"q" maxLength:"64" doc:"Substring of the name"`
	Phone   string `query:"phone" maxLength:"32" doc:"Exact phone number"`
	Blocked string `query:"blocked" enum:"true,false,"`
}

type customersOutput struct {
	Body listBody[customerView]
}

type customerOutput struct {
	Body customerView
}

type createCustomerInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"64" doc:"Retrying with the same key returns the first result"`
	Body           struct {
		Name  string `json:"name" minLength:"1" maxLength:"64" example:"王先生"`
		Phone string `json:"phone,omitempty" maxLength:"32" example:"13812345678"`
		Note  string `json:"note,omitempty" maxLength:"500"`
	}
}

type updateCustomerInput = change[updateCustomerBody]

type updateCustomerBody struct {
	Versioned
	Name  *string `json:"name,omitempty" minLength:"1" maxLength:"64"`
	Phone *string `json:"phone,omitempty" maxLength:"32" doc:"An empty string removes the number"`
	Note  *string `json:"note,omitempty" maxLength:"500"`
}

type blockCustomerInput = change[blockCustomerBody]

type blockCustomerBody struct {
	Versioned
	Reason string `json:"reason,omitempty" maxLength:"200"`
}

type itemView struct {
	ID               string            `json:"id"`
	CustomerID       string            `json:"customer_id"`
	CategoryID       string            `json:"category_id"`
	Title            string            `json:"title" example:"清乾隆青花缠枝莲纹瓶"`
	Description      string            `json:"description"`
	Attributes       map[string]string `json:"attributes" example:"{\"era\":\"清\",\"size\":\"高 32cm\"}"`
	DeclaredValueFen int64             `json:"declared_value_fen" example:"5000000"`
	Version          int64             `json:"version"`
	CreatedAt        time.Time         `json:"created_at"`
	UpdatedAt        time.Time         `json:"updated_at"`
}

func viewItem(it appraisal.Item) itemView {
	if it.Attributes == nil {
		it.Attributes = map[string]string{}
	}
	return itemView{ID: formatID(it.ID), CustomerID: formatID(it.CustomerID), CategoryID: formatID(it.CategoryID), Title: it.Title,
		Description: it.Description, Attributes: it.Attributes, DeclaredValueFen: it.DeclaredValueFen, Version: it.Version,
		CreatedAt: it.CreatedAt.UTC(), UpdatedAt: it.UpdatedAt.UTC()}
}

type itemsInput struct {
	ListParams
	CustomerID string `query:"customer_id" maxLength:"20"`
	CategoryID string `query:"category_id" maxLength:"20"`
	Q          string `query:"q" maxLength:"64"`
}

type itemsOutput struct {
	Body listBody[itemView]
}

type itemOutput struct {
	Body itemView
}

// The create and update bodies repeat the item fields: huma does not flatten embedded structs
// into a body schema.
type createItemInput struct {
	IdempotencyKey string `header:"Idempotency-Key" maxLength:"64"`
	Body           struct {
		CustomerID       string            `json:"customer_id" maxLength:"20"`
		CategoryID       string            `json:"category_id" maxLength:"20"`
		Title            string            `json:"title" minLength:"1" maxLength:"128"`
		Description      string            `json:"description,omitempty" maxLength:"5000"`
		Attributes       map[string]string `json:"attributes,omitempty" maxProperties:"50"`
		DeclaredValueFen int64             `json:"declared_value_fen,omitempty" minimum:"0"`
	}
}

type updateItemInput = change[updateItemBody]

type updateItemBody struct {
	Versioned
	CategoryID       string            `json:"category_id" maxLength:"20"`
	Title            string            `json:"title" minLength:"1" maxLength:"128"`
	Description      string            `json:"description,omitempty" maxLength:"5000"`
	Attributes       map[string]string `json:"attributes,omitempty" maxProperties:"50"`
	DeclaredValueFen int64             `json:"declared_value_fen,omitempty" minimum:"0"`
}

type productView struct {
	ID        string    `json:"id"`
	Code      string    `json:"code" example:"image-standard"`
	Name      string    `json:"name" example:"图文鉴定"`
	Kind      string    `json:"kind" enum:"IMAGE,VIDEO,PHYSICAL"`
	PriceFen  int64     `json:"price_fen" example:"9900"`
	SLAHours  int       `json:"sla_hours" example:"48"`
	Active    bool      `json:"active"`
	UpdatedAt time.Time `json:"updated_at"`
}

func viewProduct(p appraisal.Product) productView {
	return productView{ID: formatID(p.ID), Code: p.Code, Name: p.Name, Kind: string(p.Kind), PriceFen: p.PriceFen,
		SLAHours: p.SLAHours, Active: p.Active, UpdatedAt: p.UpdatedAt.UTC()}
}

type productsInput struct {
	Active string `query:"active" enum:"true,false," doc:"true: only products on sale"`
}

type productsOutput struct {
	Body struct {
		Items []productView `json:"items"`
	}
}

type productOutput struct {
	Body productView
}

type createProductInput struct {
	Body struct {
		Code     string `json:"code" minLength:"2" maxLength:"32" pattern:"^[a-z0-9-]+$"`
		Name     string `json:"name" minLength:"1" maxLength:"64"`
		Kind     string `json:"kind" enum:"IMAGE,VIDEO,PHYSICAL"`
		PriceFen int64  `json:"price_fen" minimum:"0"`
		SLAHours int    `json:"sla_hours" minimum:"1" maximum:"2160"`
		Active   bool   `json:"active,omitempty"`
	}
}

type updateProductInput struct {
	ID   string `path:"id" maxLength:"20"`
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"64"`
		PriceFen *int64  `json:"price_fen,omitempty" minimum:"0"`
		SLAHours *int    `json:"sla_hours,omitempty" minimum:"1" maximum:"2160"`
		Active   *bool   `json:"active,omitempty"`
	}
}

type specialtyView struct {
	CategoryID string `json:"category_id"`
	Grade      string `json:"grade" enum:"junior,senior,master"`
	CanReview  bool   `json:"can_review"`
}

type expertView struct {
	ID          string          `json:"id"`
	UserID      string          `json:"user_id"`
	Name        string          `json:"name" example:"李老师"`
	Title       string          `json:"title" example:"高级鉴定师"`
	Capacity    int             `json:"capacity"`
	Active      bool            `json:"active"`
	OpenOrders  int             `json:"open_orders" doc:"Orders assigned and not yet completed"`
	Specialties []specialtyView `json:"specialties"`
	Version     int64           `json:"version"`
}

func viewExpert(e appraisal.Expert) expertView {
	v := expertView{ID: formatID(e.ID), UserID: formatID(e.UserID), Name: e.Name, Title: e.Title, Capacity: e.Capacity,
		Active: e.Active, OpenOrders: e.OpenOrders, Version: e.Version, Specialties: []specialtyView{}}
	for _, s := range e.Specialties {
		v.Specialties = append(v.Specialties, specialtyView{CategoryID: formatID(s.CategoryID), Grade: s.Grade, CanReview: s.CanReview})
	}
	return v
}

type expertsInput struct {
	CategoryID string `query:"category_id" maxLength:"20" doc:"Only experts with this specialty"`
}

type expertsOutput struct {
	Body struct {
		Items []expertView `json:"items"`
	}
}

type expertOutput struct {
	Body expertView
}

type specialtyInput struct {
	CategoryID string `json:"category_id" maxLength:"20"`
	Grade      string `json:"grade,omitempty" enum:"junior,senior,master"`
	CanReview  bool   `json:"can_review,omitempty"`
}

type createExpertInput struct {
	Body struct {
		UserID      string           `json:"user_id" maxLength:"20" doc:"The expert's account; its role should be expert"`
		Name        string           `json:"name" minLength:"1" maxLength:"64"`
		Title       string           `json:"title,omitempty" maxLength:"64"`
		Capacity    int              `json:"capacity,omitempty" minimum:"1" maximum:"1000" default:"10"`
		Specialties []specialtyInput `json:"specialties" minItems:"1" maxItems:"20"`
	}
}

type updateExpertInput = change[updateExpertBody]

type updateExpertBody struct {
	Versioned
	Name        *string          `json:"name,omitempty" minLength:"1" maxLength:"64"`
	Title       *string          `json:"title,omitempty" maxLength:"64"`
	Capacity    *int             `json:"capacity,omitempty" minimum:"1" maximum:"1000"`
	Active      *bool            `json:"active,omitempty"`
	Specialties []specialtyInput `json:"specialties,omitempty" maxItems:"20"`
}

func (d *Deps) specialties(ctx context.Context, in []specialtyInput) ([]appraisal.Specialty, error) {
	cats, err := d.Store.Categories(ctx)
	if err != nil {
		return nil, err
	}
	known := map[int64]bool{}
	for _, c := range cats {
		known[c.ID] = true
	}
	var out []appraisal.Specialty
	for i, s := range in {
		id, err := parseOptionalID("specialties["+formatID(int64(i))+"].category_id", s.CategoryID)
		if err != nil || !known[id] {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "specialties[" + formatID(int64(i)) + "].category_id", Code: "not_found", Message: "no such category"})
		}
		grade := s.Grade
		if grade == "" {
			grade = "senior"
		}
		out = append(out, appraisal.Specialty{CategoryID: id, Grade: grade, CanReview: s.CanReview})
	}
	return out, nil
}

// sealPhone normalises, encrypts and fingerprints a phone number.
func (d *Deps) sealPhone(field, raw string) (enc []byte, hash, masked string, err error) {
	if strings.TrimSpace(raw) == "" {
		return nil, "", "", nil
	}
	p := appraisal.NormalizePhone(raw)
	if p == "" {
		return nil, "", "", appraisal.Invalid(appraisal.FieldError{Field: field, Code: "bad_phone", Message: "not a phone number"})
	}
	return d.PII.Seal(p), d.PII.Fingerprint(p), appraisal.MaskPhone(p), nil
}

func registerCatalog(api huma.API, d *Deps) {
	registerCategories(api, d)
	registerCustomers(api, d)
	registerItems(api, d)
	registerProducts(api, d)
	registerExperts(api, d)
}

func registerCategories(api huma.API, d *Deps) {
	tags := []string{"catalog"}
	register(api, huma.Operation{
		OperationID: "categories.list", Method: http.MethodGet, Path: "/api/v1/categories", Tags: tags, Summary: "The category tree",
	}, func(ctx context.Context, _ *struct{}) (*categoriesOutput, error) {
		cats, err := d.Store.Categories(ctx)
		if err != nil {
			return nil, err
		}
		out := &categoriesOutput{}
		out.Body.Items = mapSlice(cats, viewCategory)
		return out, nil
	})
	register(api, huma.Operation{
		OperationID: "categories.create", Method: http.MethodPost, Path: "/api/v1/categories", Tags: tags,
		Summary: "Add a category", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createCategoryInput) (*categoryOutput, error) {
		parent, err := parseOptionalID("parent_id", in.Body.ParentID)
		if err != nil {
			return nil, err
		}
		c := &appraisal.Category{ParentID: parent, Code: in.Body.Code, Name: in.Body.Name, Sort: in.Body.Sort}
		if err := d.Store.CreateCategory(ctx, c, actor(ctx).For("categories.create", "category", "")); err != nil {
			return nil, err
		}
		return &categoryOutput{Body: viewCategory(*c)}, nil
	})
}

func registerCustomers(api huma.API, d *Deps) {
	tags := []string{"catalog"}
	register(api, huma.Operation{
		OperationID: "customers.list", Method: http.MethodGet, Path: "/api/v1/customers", Tags: tags,
		Summary: "Search customers", Description: "Phone numbers are masked unless the caller's role holds customers.phone.view.",
	}, func(ctx context.Context, in *customersInput) (*customersOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		f := appraisal.CustomerFilter{Keyword: in.Q, Blocked: optionalBool(in.Blocked), Page: pg}
		if in.Phone != "" {
			p := appraisal.NormalizePhone(in.Phone)
			if p == "" {
				return nil, appraisal.Invalid(appraisal.FieldError{Field: "phone", Code: "bad_phone", Message: "not a phone number"})
			}
			f.PhoneHash = d.PII.Fingerprint(p)
		}
		full, err := d.canSeePhone(ctx)
		if err != nil {
			return nil, err
		}
		cs, encs, total, err := d.Store.ListCustomers(ctx, f)
		if err != nil {
			return nil, err
		}
		views := make([]customerView, len(cs))
		for i := range cs {
			views[i] = d.viewCustomer(&cs[i], encs[i], full)
		}
		return &customersOutput{Body: newList(views, total, pg)}, nil
	})

	register(api, huma.Operation{
		OperationID: "customers.create", Method: http.MethodPost, Path: "/api/v1/customers", Tags: tags,
		Summary: "Add a customer", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createCustomerInput) (*customerOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "customers.create", in.Body, func() (*customerOutput, error) {
			enc, hash, masked, err := d.sealPhone("phone", in.Body.Phone)
			if err != nil {
				return nil, err
			}
			c := &appraisal.Customer{Name: strings.TrimSpace(in.Body.Name), PhoneMasked: masked, Note: in.Body.Note}
			if err := d.Store.CreateCustomer(ctx, c, enc, hash, actor(ctx).For("customers.create", "customer", "")); err != nil {
				return nil, err
			}
			full, err := d.canSeePhone(ctx)
			if err != nil {
				return nil, err
			}
			return &customerOutput{Body: d.viewCustomer(c, enc, full)}, nil
		})
	})

	get := func(ctx context.Context, id int64) (*customerOutput, error) {
		c, enc, err := d.Store.Customer(ctx, id)
		if err != nil {
			return nil, err
		}
		full, err := d.canSeePhone(ctx)
		if err != nil {
			return nil, err
		}
		return &customerOutput{Body: d.viewCustomer(c, enc, full)}, nil
	}
	register(api, huma.Operation{
		OperationID: "customers.get", Method: http.MethodGet, Path: "/api/v1/customers/{id}", Tags: tags,
		Summary: "Get a customer", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *idInput) (*customerOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		return get(ctx, id)
	})

	register(api, huma.Operation{
		OperationID: "customers.update", Method: http.MethodPatch, Path: "/api/v1/customers/{id}", Tags: tags,
		Summary: "Change a customer", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateCustomerInput) (*customerOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		c, _, err := d.Store.Customer(ctx, id)
		if err != nil {
			return nil, err
		}
		c.Version = version
		if in.body().Name != nil {
			c.Name = strings.TrimSpace(*in.body().Name)
		}
		if in.body().Note != nil {
			c.Note = *in.body().Note
		}
		var enc []byte
		var hash string
		if in.body().Phone != nil {
			if enc, hash, c.PhoneMasked, err = d.sealPhone("phone", *in.body().Phone); err != nil {
				return nil, err
			}
		}
		if err := d.Store.UpdateCustomer(ctx, c, enc, hash, in.body().Phone != nil, actor(ctx).For("customers.update", "customer", "")); err != nil {
			return nil, err
		}
		return get(ctx, id)
	})

	setBlocked := func(op string, blocked bool) func(context.Context, *blockCustomerInput) (*customerOutput, error) {
		return func(ctx context.Context, in *blockCustomerInput) (*customerOutput, error) {
			id, version, err := in.target()
			if err != nil {
				return nil, err
			}
			c, _, err := d.Store.Customer(ctx, id)
			if err != nil {
				return nil, err
			}
			if blocked && strings.TrimSpace(in.body().Reason) == "" {
				return nil, appraisal.Invalid(appraisal.FieldError{Field: "reason", Code: "required", Message: "say why the customer is blocked"})
			}
			c.Version, c.Blocked, c.BlockedReason = version, blocked, ""
			if blocked {
				c.BlockedReason = in.body().Reason
			}
			if err := d.Store.UpdateCustomer(ctx, c, nil, "", false, actor(ctx).For(op, "customer", "")); err != nil {
				return nil, err
			}
			return get(ctx, id)
		}
	}
	register(api, huma.Operation{
		OperationID: "customers.block", Method: http.MethodPost, Path: "/api/v1/customers/{id}/block", Tags: tags,
		Summary: "Block a customer", Description: "A blocked customer cannot have new orders.",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, setBlocked("customers.block", true))
	register(api, huma.Operation{
		OperationID: "customers.unblock", Method: http.MethodPost, Path: "/api/v1/customers/{id}/unblock", Tags: tags,
		Summary: "Unblock a customer", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, setBlocked("customers.unblock", false))
}

func (d *Deps) checkCategory(ctx context.Context, field, raw string) (int64, error) {
	id, err := parseOptionalID(field, raw)
	if err != nil {
		return 0, err
	}
	cats, err := d.Store.Categories(ctx)
	if err != nil {
		return 0, err
	}
	for _, c := range cats {
		if c.ID == id {
			return id, nil
		}
	}
	return 0, appraisal.Invalid(appraisal.FieldError{Field: field, Code: "not_found", Message: "no such category"})
}

func registerItems(api huma.API, d *Deps) {
	tags := []string{"catalog"}
	register(api, huma.Operation{
		OperationID: "items.list", Method: http.MethodGet, Path: "/api/v1/items", Tags: tags, Summary: "List items",
	}, func(ctx context.Context, in *itemsInput) (*itemsOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		cust, err := parseOptionalID("customer_id", in.CustomerID)
		if err != nil {
			return nil, err
		}
		cat, err := parseOptionalID("category_id", in.CategoryID)
		if err != nil {
			return nil, err
		}
		its, total, err := d.Store.ListItems(ctx, appraisal.ItemFilter{CustomerID: cust, CategoryID: cat, Keyword: in.Q, Page: pg})
		if err != nil {
			return nil, err
		}
		return &itemsOutput{Body: newList(mapSlice(its, viewItem), total, pg)}, nil
	})

	register(api, huma.Operation{
		OperationID: "items.create", Method: http.MethodPost, Path: "/api/v1/items", Tags: tags,
		Summary: "Add an item (藏品) of a customer", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createItemInput) (*itemOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "items.create", in.Body, func() (*itemOutput, error) {
			cust, err := parseOptionalID("customer_id", in.Body.CustomerID)
			if err != nil || cust == 0 {
				return nil, appraisal.Invalid(appraisal.FieldError{Field: "customer_id", Code: "required", Message: "whose item is it"})
			}
			if _, _, err := d.Store.Customer(ctx, cust); appraisal.IsKind(err, appraisal.KindNotFound) {
				return nil, appraisal.Invalid(appraisal.FieldError{Field: "customer_id", Code: "not_found", Message: "no such customer"})
			} else if err != nil {
				return nil, err
			}
			cat, err := d.checkCategory(ctx, "category_id", in.Body.CategoryID)
			if err != nil {
				return nil, err
			}
			it := &appraisal.Item{CustomerID: cust, CategoryID: cat, Title: in.Body.Title, Description: in.Body.Description,
				Attributes: in.Body.Attributes, DeclaredValueFen: in.Body.DeclaredValueFen}
			if err := d.Store.CreateItem(ctx, it, actor(ctx).For("items.create", "item", "")); err != nil {
				return nil, err
			}
			return &itemOutput{Body: viewItem(*it)}, nil
		})
	})

	register(api, huma.Operation{
		OperationID: "items.get", Method: http.MethodGet, Path: "/api/v1/items/{id}", Tags: tags,
		Summary: "Get an item", Errors: []int{http.StatusNotFound},
	}, byID(func(ctx context.Context, id int64) (*appraisal.Item, error) { return d.Store.Item(ctx, id) }, func(it *appraisal.Item) *itemOutput { return &itemOutput{Body: viewItem(*it)} }))

	register(api, huma.Operation{
		OperationID: "items.update", Method: http.MethodPatch, Path: "/api/v1/items/{id}", Tags: tags,
		Summary: "Change an item", Description: "Replaces the item's fields (send them all).",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateItemInput) (*itemOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		cat, err := d.checkCategory(ctx, "category_id", in.body().CategoryID)
		if err != nil {
			return nil, err
		}
		it := &appraisal.Item{ID: id, CategoryID: cat, Title: in.body().Title, Description: in.body().Description,
			Attributes: in.body().Attributes, DeclaredValueFen: in.body().DeclaredValueFen, Version: version}
		if err := d.Store.UpdateItem(ctx, it, actor(ctx).For("items.update", "item", "")); err != nil {
			return nil, err
		}
		return &itemOutput{Body: viewItem(*it)}, nil
	})
}

func registerProducts(api huma.API, d *Deps) {
	tags := []string{"catalog"}
	register(api, huma.Operation{
		OperationID: "products.list", Method: http.MethodGet, Path: "/api/v1/products", Tags: tags, Summary: "Service products (图文/视频/实物)",
	}, func(ctx context.Context, in *productsInput) (*productsOutput, error) {
		ps, err := d.Store.Products(ctx, in.Active == "true")
		if err != nil {
			return nil, err
		}
		out := &productsOutput{}
		out.Body.Items = mapSlice(ps, viewProduct)
		return out, nil
	})
	register(api, huma.Operation{
		OperationID: "products.create", Method: http.MethodPost, Path: "/api/v1/products", Tags: tags,
		Summary: "Add a service product", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createProductInput) (*productOutput, error) {
		p := &appraisal.Product{Code: in.Body.Code, Name: in.Body.Name, Kind: appraisal.ProductKind(in.Body.Kind),
			PriceFen: in.Body.PriceFen, SLAHours: in.Body.SLAHours, Active: in.Body.Active}
		if err := d.Store.CreateProduct(ctx, p, actor(ctx).For("products.create", "product", "")); err != nil {
			return nil, err
		}
		return &productOutput{Body: viewProduct(*p)}, nil
	})
	register(api, huma.Operation{
		OperationID: "products.update", Method: http.MethodPatch, Path: "/api/v1/products/{id}", Tags: tags,
		Summary: "Change a service product", Description: "Price and SLA changes apply to new orders only.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateProductInput) (*productOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		p, err := d.Store.Product(ctx, id)
		if err != nil {
			return nil, err
		}
		if in.Body.Name != nil {
			p.Name = *in.Body.Name
		}
		if in.Body.PriceFen != nil {
			p.PriceFen = *in.Body.PriceFen
		}
		if in.Body.SLAHours != nil {
			p.SLAHours = *in.Body.SLAHours
		}
		if in.Body.Active != nil {
			p.Active = *in.Body.Active
		}
		if err := d.Store.UpdateProduct(ctx, p, actor(ctx).For("products.update", "product", "")); err != nil {
			return nil, err
		}
		return &productOutput{Body: viewProduct(*p)}, nil
	})
}

func registerExperts(api huma.API, d *Deps) {
	tags := []string{"catalog"}
	register(api, huma.Operation{
		OperationID: "experts.list", Method: http.MethodGet, Path: "/api/v1/experts", Tags: tags, Summary: "Experts and their workload",
	}, func(ctx context.Context, in *expertsInput) (*expertsOutput, error) {
		cat, err := parseOptionalID("category_id", in.CategoryID)
		if err != nil {
			return nil, err
		}
		es, err := d.Store.Experts(ctx, cat)
		if err != nil {
			return nil, err
		}
		out := &expertsOutput{}
		out.Body.Items = mapSlice(es, viewExpert)
		return out, nil
	})
	register(api, huma.Operation{
		OperationID: "experts.create", Method: http.MethodPost, Path: "/api/v1/experts", Tags: tags,
		Summary: "Make an account an expert", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createExpertInput) (*expertOutput, error) {
		uid, err := parseOptionalID("user_id", in.Body.UserID)
		if err != nil || uid == 0 {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "user_id", Code: "required", Message: "which account"})
		}
		if _, err := d.Store.UserByID(ctx, uid); appraisal.IsKind(err, appraisal.KindNotFound) {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "user_id", Code: "not_found", Message: "no such account"})
		} else if err != nil {
			return nil, err
		}
		sps, err := d.specialties(ctx, in.Body.Specialties)
		if err != nil {
			return nil, err
		}
		capacity := in.Body.Capacity
		if capacity == 0 {
			capacity = 10
		}
		e := &appraisal.Expert{UserID: uid, Name: in.Body.Name, Title: in.Body.Title, Capacity: capacity, Active: true, Specialties: sps}
		if err := d.Store.CreateExpert(ctx, e, actor(ctx).For("experts.create", "expert", "")); err != nil {
			if appraisal.IsKind(err, appraisal.KindConflict) {
				return nil, appraisal.E(appraisal.KindConflict, "expert.exists", "this account is already an expert")
			}
			return nil, err
		}
		return &expertOutput{Body: viewExpert(*e)}, nil
	})
	register(api, huma.Operation{
		OperationID: "experts.update", Method: http.MethodPatch, Path: "/api/v1/experts/{id}", Tags: tags,
		Summary: "Change an expert", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateExpertInput) (*expertOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		e, err := d.Store.Expert(ctx, id)
		if err != nil {
			return nil, err
		}
		e.Version = version
		if in.body().Name != nil {
			e.Name = *in.body().Name
		}
		if in.body().Title != nil {
			e.Title = *in.body().Title
		}
		if in.body().Capacity != nil {
			e.Capacity = *in.body().Capacity
		}
		if in.body().Active != nil {
			e.Active = *in.body().Active
		}
		if in.body().Specialties != nil {
			if e.Specialties, err = d.specialties(ctx, in.body().Specialties); err != nil {
				return nil, err
			}
		}
		if err := d.Store.UpdateExpert(ctx, e, actor(ctx).For("experts.update", "expert", "")); err != nil {
			return nil, err
		}
		return &expertOutput{Body: viewExpert(*e)}, nil
	})
}
