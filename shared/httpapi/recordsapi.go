package httpapi

import (
	"context"
	"net/http"
	"time"

	"github.com/danielgtaylor/huma/v2"

	"github.com/jianbao/admin/shared/appraisal"
	"github.com/jianbao/admin/shared/records"
)

type categoryView struct {
	ID       string `json:"id"`
	ParentID string `json:"parent_id" doc:"Empty for a top-level category"`
	Code     string `json:"code" example:"porcelain"`
	Name     string `json:"name" example:"瓷器"`
	Sort     int    `json:"sort"`
	Disabled bool   `json:"disabled" doc:"Kept for the items and orders that use it; offered for no new item"`
}

func viewCategory(c appraisal.Category) categoryView {
	return categoryView{ID: formatID(c.ID), ParentID: formatOptionalID(c.ParentID), Code: c.Code, Name: c.Name, Sort: c.Sort, Disabled: c.Disabled}
}

type updateCategoryInput struct {
	ID   string `path:"id" maxLength:"20"`
	Body struct {
		Name     *string `json:"name,omitempty" minLength:"1" maxLength:"64"`
		ParentID *string `json:"parent_id,omitempty" maxLength:"20" doc:"Move under this category; empty string: to the top level"`
		Sort     *int    `json:"sort,omitempty"`
		Disabled *bool   `json:"disabled,omitempty"`
	}
}

func categoriesUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "categories.update", Method: http.MethodPatch, Path: "/api/v1/categories/{id}", Tags: recordsTags,
		Summary: "Rename, move, reorder, disable or enable a category", Description: "A merge patch: send only what changes. A category cannot move under itself or its descendants.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateCategoryInput) (*categoryOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		patch := records.CategoryPatch{Name: in.Body.Name, Sort: in.Body.Sort, Disabled: in.Body.Disabled}
		if in.Body.ParentID != nil {
			p, err := parseOptionalID("parent_id", *in.Body.ParentID)
			if err != nil {
				return nil, err
			}
			patch.ParentID = &p
		}
		c, err := d.Records.UpdateCategory(ctx, id, patch, actor(ctx).For("categories.update", "category", in.ID))
		if err != nil {
			return nil, err
		}
		return &categoryOutput{Body: viewCategory(*c)}, nil
	})
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
	// SamePhone warns of a likely duplicate: only in the answer to a create or update that set
	// a phone number, for roles that see phone numbers.
	SamePhone []customerRef `json:"same_phone,omitempty" doc:"Other customers with the same phone number (a likely duplicate). Only in the answer to a create or an update that set the number, and only for roles that may see phone numbers"`
}

type customerRef struct {
	ID   string `json:"id"`
	Name string `json:"name"`
}

func viewCustomer(c *records.Customer) customerView {
	v := customerView{ID: formatID(c.ID), Name: c.Name, Phone: c.Phone, PhoneMasked: c.PhoneMasked, Note: c.Note,
		Blocked: c.Blocked, BlockedReason: c.BlockedReason, Version: c.Version, CreatedAt: c.CreatedAt.UTC(), UpdatedAt: c.UpdatedAt.UTC()}
	for _, o := range c.SamePhone {
		v.SamePhone = append(v.SamePhone, customerRef{ID: formatID(o.ID), Name: o.Name})
	}
	return v
}

type customersInput struct {
	ListParams
	ListSort
	Q       string `query:"q" maxLength:"64" doc:"Substring of the name"`
	Phone   string `query:"phone" maxLength:"32" doc:"Exact phone number. Only for roles that may see phone numbers (403 customers.phone_search_forbidden otherwise): a match would reveal whose number it is"`
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
	ListSort
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

// updateItemBody is a merge patch (RFC 7396): what is absent stays as it is; attributes merge key
// by key, and a key set to null is removed.
type updateItemBody struct {
	Versioned
	CategoryID       *string            `json:"category_id,omitempty" maxLength:"20"`
	Title            *string            `json:"title,omitempty" minLength:"1" maxLength:"128"`
	Description      *string            `json:"description,omitempty" maxLength:"5000"`
	Attributes       map[string]*string `json:"attributes,omitempty" maxProperties:"50"`
	DeclaredValueFen *int64             `json:"declared_value_fen,omitempty" minimum:"0"`
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

// specialties reads the declared specialties' ids; the service checks the categories.
func specialties(in []specialtyInput) ([]records.Specialty, error) {
	var out []records.Specialty
	for i, sp := range in {
		id, err := parseOptionalID("specialties["+formatID(int64(i))+"].category_id", sp.CategoryID)
		if err != nil {
			return nil, err
		}
		out = append(out, records.Specialty{CategoryID: id, Grade: sp.Grade, CanReview: sp.CanReview})
	}
	return out, nil
}

var recordsTags = []string{"records"}

// recordsRoutes is the group as a list of routes, one handler maker per operation.
func recordsRoutes(d *Deps) []route {
	return []route{categoriesList(d), categoriesCreate(d), categoriesUpdate(d), customersList(d), customersCreate(d), customersGet(d), customersUpdate(d), customersBlock(d), customersUnblock(d), customersRemove(d), customersMerge(d), itemsList(d), itemsCreate(d), itemsGet(d), itemsUpdate(d), itemsRemove(d), itemsMerge(d), productsList(d), productsCreate(d), productsUpdate(d), expertsList(d), expertsCreate(d), expertsUpdate(d)}
}

func customerOut(c *records.Customer, err error) (*customerOutput, error) {
	if err != nil {
		return nil, err
	}
	return &customerOutput{Body: viewCustomer(c)}, nil
}

func expertOut(e *appraisal.Expert, err error) (*expertOutput, error) {
	if err != nil {
		return nil, err
	}
	return &expertOutput{Body: viewExpert(*e)}, nil
}

// customersSetBlocked blocks or unblocks a customer.
func customersSetBlocked(d *Deps, op string, blocked bool) func(context.Context, *blockCustomerInput) (*customerOutput, error) {
	return func(ctx context.Context, in *blockCustomerInput) (*customerOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		return customerOut(d.Records.SetBlocked(ctx, principalFrom(ctx), id, version, blocked, in.body().Reason, actor(ctx).For(op, "customer", "")))
	}
}

// removeInput is a removal: the id and the version read (If-Match or body).
type removeInput = change[Versioned]

type mergeBody struct {
	Versioned
	Into string `json:"into" minLength:"1" maxLength:"20" doc:"The id of the duplicate to keep"`
}

type mergeInput = change[mergeBody]

func removeRoute(op, path, what, summary, desc string, remove func(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error) route {
	return handle(huma.Operation{
		OperationID: op, Method: http.MethodDelete, Path: path, Tags: recordsTags, Summary: summary, Description: desc,
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *removeInput) (*struct{}, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		return nil, remove(ctx, id, version, 0, actor(ctx).For(op, what, in.ID))
	})
}

func mergeRoute(op, path, what, summary, desc string, remove func(ctx context.Context, id, version, into int64, a appraisal.AuditEntry) error) route {
	return handle(huma.Operation{
		OperationID: op, Method: http.MethodPost, Path: path, Tags: recordsTags, Summary: summary, Description: desc,
		DefaultStatus: http.StatusNoContent, Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *mergeInput) (*struct{}, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		into, err := parseOptionalID("into", in.body().Into)
		if err != nil {
			return nil, err
		}
		if into == 0 {
			return nil, appraisal.Invalid(appraisal.FieldError{Field: "into", Code: "required", Message: "the duplicate to keep"})
		}
		return nil, remove(ctx, id, version, into, actor(ctx).For(op, what, in.ID))
	})
}

func customersRemove(d *Deps) route {
	return removeRoute("customers.delete", "/api/v1/customers/{id}", "customer", "Remove a customer",
		"Soft: the customer disappears from lists and lookups. A customer with items cannot be removed: merge it into the duplicate to keep (409 customer.has_items).",
		d.Records.RemoveCustomer)
}

func customersMerge(d *Deps) route {
	return mergeRoute("customers.merge", "/api/v1/customers/{id}/merge", "customer", "Merge a duplicate customer into another",
		"The customer's items and orders move to the customer `into`, then this one is removed. Send this customer's version.",
		d.Records.RemoveCustomer)
}

func itemsRemove(d *Deps) route {
	return removeRoute("items.delete", "/api/v1/items/{id}", "item", "Remove an item",
		"Soft. An item with orders cannot be removed, only merged into a duplicate (409 item.has_orders).", d.Records.RemoveItem)
}

func itemsMerge(d *Deps) route {
	return mergeRoute("items.merge", "/api/v1/items/{id}/merge", "item", "Merge a duplicate item into another of the same customer",
		"The item's orders and photos move to the item `into`, then this one is removed. Send this item's version.", d.Records.RemoveItem)
}

func categoriesList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "categories.list", Method: http.MethodGet, Path: "/api/v1/categories", Tags: recordsTags, Summary: "The category tree",
	}, func(ctx context.Context, _ *struct{}) (*categoriesOutput, error) {
		cats, err := d.Records.Categories(ctx)
		if err != nil {
			return nil, err
		}
		out := &categoriesOutput{}
		out.Body.Items = mapSlice(cats, viewCategory)
		return out, nil
	})
}

func categoriesCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "categories.create", Method: http.MethodPost, Path: "/api/v1/categories", Tags: recordsTags,
		Summary: "Add a category", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createCategoryInput) (*categoryOutput, error) {
		parent, err := parseOptionalID("parent_id", in.Body.ParentID)
		if err != nil {
			return nil, err
		}
		c := &appraisal.Category{ParentID: parent, Code: in.Body.Code, Name: in.Body.Name, Sort: in.Body.Sort}
		if err := d.Records.CreateCategory(ctx, c, actor(ctx).For("categories.create", "category", "")); err != nil {
			return nil, err
		}
		return &categoryOutput{Body: viewCategory(*c)}, nil
	})
}

func customersList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.list", Method: http.MethodGet, Path: "/api/v1/customers", Tags: recordsTags,
		Summary: "Search customers", Description: "Phone numbers are masked unless the caller's role holds customers.phone.view.",
	}, func(ctx context.Context, in *customersInput) (*customersOutput, error) {
		pg, err := in.page()
		if err != nil {
			return nil, err
		}
		cs, total, err := d.Records.Customers(ctx, principalFrom(ctx), records.CustomerQuery{Keyword: in.Q, Phone: in.Phone, Blocked: optionalBool(in.Blocked), Sort: in.Sort, Page: pg})
		if err != nil {
			return nil, err
		}
		return &customersOutput{Body: newList(mapSlice(cs, func(c records.Customer) customerView { return viewCustomer(&c) }), total, pg)}, nil
	})
}

func customersCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.create", Method: http.MethodPost, Path: "/api/v1/customers", Tags: recordsTags,
		Summary: "Add a customer", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createCustomerInput) (*customerOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "customers.create", in.Body, func() (*customerOutput, error) {
			return customerOut(d.Records.CreateCustomer(ctx, principalFrom(ctx), records.NewCustomer{Name: in.Body.Name, Phone: in.Body.Phone, Note: in.Body.Note},
				actor(ctx).For("customers.create", "customer", "")))
		})
	})
}

func customersGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.get", Method: http.MethodGet, Path: "/api/v1/customers/{id}", Tags: recordsTags,
		Summary: "Get a customer", Errors: []int{http.StatusNotFound},
	}, func(ctx context.Context, in *idInput) (*customerOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		return customerOut(d.Records.Customer(ctx, principalFrom(ctx), id))
	})
}

func customersUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.update", Method: http.MethodPatch, Path: "/api/v1/customers/{id}", Tags: recordsTags,
		Summary: "Change a customer", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateCustomerInput) (*customerOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		b := in.body()
		return customerOut(d.Records.UpdateCustomer(ctx, principalFrom(ctx), id, version, records.CustomerPatch{Name: b.Name, Phone: b.Phone, Note: b.Note},
			actor(ctx).For("customers.update", "customer", "")))
	})
}

func customersBlock(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.block", Method: http.MethodPost, Path: "/api/v1/customers/{id}/block", Tags: recordsTags,
		Summary: "Block a customer", Description: "A blocked customer cannot have new orders.",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, customersSetBlocked(d, "customers.block", true))
}

func customersUnblock(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "customers.unblock", Method: http.MethodPost, Path: "/api/v1/customers/{id}/unblock", Tags: recordsTags,
		Summary: "Unblock a customer", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, customersSetBlocked(d, "customers.unblock", false))
}

func itemsList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "items.list", Method: http.MethodGet, Path: "/api/v1/items", Tags: recordsTags, Summary: "List items",
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
		its, total, err := d.Records.Items(ctx, appraisal.ItemFilter{CustomerID: cust, CategoryID: cat, Keyword: in.Q, Sort: in.Sort, Page: pg})
		if err != nil {
			return nil, err
		}
		return &itemsOutput{Body: newList(mapSlice(its, viewItem), total, pg)}, nil
	})
}

func itemsCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "items.create", Method: http.MethodPost, Path: "/api/v1/items", Tags: recordsTags,
		Summary: "Add an item (藏品) of a customer", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusUnprocessableEntity, http.StatusConflict},
	}, func(ctx context.Context, in *createItemInput) (*itemOutput, error) {
		return idempotent(ctx, d, in.IdempotencyKey, "items.create", in.Body, func() (*itemOutput, error) {
			cust, err := parseOptionalID("customer_id", in.Body.CustomerID)
			if err != nil {
				return nil, err
			}
			cat, err := parseOptionalID("category_id", in.Body.CategoryID)
			if err != nil {
				return nil, err
			}
			it := &appraisal.Item{CustomerID: cust, CategoryID: cat, Title: in.Body.Title, Description: in.Body.Description,
				Attributes: in.Body.Attributes, DeclaredValueFen: in.Body.DeclaredValueFen}
			if err := d.Records.CreateItem(ctx, it, actor(ctx).For("items.create", "item", "")); err != nil {
				return nil, err
			}
			return &itemOutput{Body: viewItem(*it)}, nil
		})
	})
}

func itemsGet(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "items.get", Method: http.MethodGet, Path: "/api/v1/items/{id}", Tags: recordsTags,
		Summary: "Get an item", Errors: []int{http.StatusNotFound},
	}, byID(d.Records.Item, func(it *appraisal.Item) *itemOutput { return &itemOutput{Body: viewItem(*it)} }))
}

func itemsUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "items.update", Method: http.MethodPatch, Path: "/api/v1/items/{id}", Tags: recordsTags,
		Summary: "Change an item", Description: "A merge patch: send only what changes; an attribute set to null is removed.",
		Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateItemInput) (*itemOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		b := in.body()
		patch := records.ItemPatch{Title: b.Title, Description: b.Description, Attributes: b.Attributes, DeclaredValueFen: b.DeclaredValueFen}
		if b.CategoryID != nil {
			cat, err := parseOptionalID("category_id", *b.CategoryID)
			if err != nil {
				return nil, err
			}
			patch.CategoryID = &cat
		}
		it, err := d.Records.UpdateItem(ctx, id, version, patch, actor(ctx).For("items.update", "item", ""))
		if err != nil {
			return nil, err
		}
		return &itemOutput{Body: viewItem(*it)}, nil
	})
}

func productsList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "products.list", Method: http.MethodGet, Path: "/api/v1/products", Tags: recordsTags, Summary: "Service products (图文/视频/实物)",
	}, func(ctx context.Context, in *productsInput) (*productsOutput, error) {
		ps, err := d.Records.Products(ctx, in.Active == "true")
		if err != nil {
			return nil, err
		}
		out := &productsOutput{}
		out.Body.Items = mapSlice(ps, viewProduct)
		return out, nil
	})
}

func productsCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "products.create", Method: http.MethodPost, Path: "/api/v1/products", Tags: recordsTags,
		Summary: "Add a service product", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createProductInput) (*productOutput, error) {
		p := &appraisal.Product{Code: in.Body.Code, Name: in.Body.Name, Kind: appraisal.ProductKind(in.Body.Kind),
			PriceFen: in.Body.PriceFen, SLAHours: in.Body.SLAHours, Active: in.Body.Active}
		if err := d.Records.CreateProduct(ctx, p, actor(ctx).For("products.create", "product", "")); err != nil {
			return nil, err
		}
		return &productOutput{Body: viewProduct(*p)}, nil
	})
}

func productsUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "products.update", Method: http.MethodPatch, Path: "/api/v1/products/{id}", Tags: recordsTags,
		Summary: "Change a service product", Description: "Price and SLA changes apply to new orders only.",
		Errors: []int{http.StatusNotFound, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateProductInput) (*productOutput, error) {
		id, err := parseID(in.ID)
		if err != nil {
			return nil, err
		}
		b := in.Body
		p, err := d.Records.UpdateProduct(ctx, id, records.ProductPatch{Name: b.Name, PriceFen: b.PriceFen, SLAHours: b.SLAHours, Active: b.Active},
			actor(ctx).For("products.update", "product", ""))
		if err != nil {
			return nil, err
		}
		return &productOutput{Body: viewProduct(*p)}, nil
	})
}

func expertsList(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "experts.list", Method: http.MethodGet, Path: "/api/v1/experts", Tags: recordsTags, Summary: "Experts and their workload",
	}, func(ctx context.Context, in *expertsInput) (*expertsOutput, error) {
		cat, err := parseOptionalID("category_id", in.CategoryID)
		if err != nil {
			return nil, err
		}
		es, err := d.Records.Experts(ctx, cat)
		if err != nil {
			return nil, err
		}
		out := &expertsOutput{}
		out.Body.Items = mapSlice(es, viewExpert)
		return out, nil
	})
}

func expertsCreate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "experts.create", Method: http.MethodPost, Path: "/api/v1/experts", Tags: recordsTags,
		Summary: "Make an account an expert", DefaultStatus: http.StatusCreated, Errors: []int{http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *createExpertInput) (*expertOutput, error) {
		uid, err := parseOptionalID("user_id", in.Body.UserID)
		if err != nil {
			return nil, err
		}
		sps, err := specialties(in.Body.Specialties)
		if err != nil {
			return nil, err
		}
		return expertOut(d.Records.CreateExpert(ctx, records.NewExpert{UserID: uid, Name: in.Body.Name, Title: in.Body.Title, Capacity: in.Body.Capacity,
			Specialties: sps}, actor(ctx).For("experts.create", "expert", "")))
	})
}

func expertsUpdate(d *Deps) route {
	return handle(huma.Operation{
		OperationID: "experts.update", Method: http.MethodPatch, Path: "/api/v1/experts/{id}", Tags: recordsTags,
		Summary: "Change an expert", Errors: []int{http.StatusNotFound, http.StatusConflict, http.StatusUnprocessableEntity},
	}, func(ctx context.Context, in *updateExpertInput) (*expertOutput, error) {
		id, version, err := in.target()
		if err != nil {
			return nil, err
		}
		b := in.body()
		patch := records.ExpertPatch{Name: b.Name, Title: b.Title, Capacity: b.Capacity, Active: b.Active}
		if b.Specialties != nil {
			if patch.Specialties, err = specialties(b.Specialties); err != nil {
				return nil, err
			}
			if patch.Specialties == nil {
				patch.Specialties = []records.Specialty{}
			}
		}
		return expertOut(d.Records.UpdateExpert(ctx, id, version, patch, actor(ctx).For("experts.update", "expert", "")))
	})
}
