# One custom domain in front of the Function URLs: each API function's path prefixes are routed to
# it, so the frontend has a single base URL. Needs a domain with a CNAME to SCF and, for HTTPS, an
# SSL certificate id. Path matching (prefix and prefix/*) follows the SCF console's custom domain
# rules; confirm on a real account before relying on it [UNCERTAIN].

variable "api_domain" {
  type        = string
  default     = ""
  description = "e.g. api.jianbao.example; empty: no custom domain"
}

variable "api_certificate_id" {
  type    = string
  default = ""
}

resource "tencentcloud_scf_custom_domain" "api" {
  count    = var.api_domain != "" && var.http_entry == "function_url" ? 1 : 0
  domain   = var.api_domain
  protocol = var.api_certificate_id != "" ? "HTTPS" : "HTTP"

  dynamic "endpoints_config" {
    for_each = flatten([
      for name, f in local.functions : [
        for p in f.path_prefixes : [
          { function = name, path = p },
          { function = name, path = "${p}/*" },
        ]
      ] if f.kind == "api"
    ])
    content {
      namespace     = tencentcloud_scf_namespace.this.namespace
      function_name = tencentcloud_scf_function.fn[endpoints_config.value.function].name
      qualifier     = tencentcloud_scf_function_alias.live[endpoints_config.value.function].name
      path_match    = endpoints_config.value.path
    }
  }

  dynamic "cert_config" {
    for_each = var.api_certificate_id != "" ? [1] : []
    content {
      certificate_id = var.api_certificate_id
    }
  }
}
