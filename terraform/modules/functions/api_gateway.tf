# The API Gateway entry, for accounts that still have the product (http_entry = "api_gateway"):
# one service, one API per path prefix of each API function, and a release. Tencent is retiring
# API Gateway (facts §0), so Function URLs are the default.

locals {
  gateway_routes = var.http_entry != "api_gateway" ? {} : merge([
    for name, f in local.functions : {
      for p in f.path_prefixes : "${name}${replace(p, "/", "-")}" => { function = name, path = p }
    } if f.kind == "api"
  ]...)
}

resource "tencentcloud_api_gateway_service" "api" {
  count        = var.http_entry == "api_gateway" ? 1 : 0
  service_name = replace(var.prefix, "-", "_")
  protocol     = "https"
  net_type     = ["OUTER"]
  service_desc = "jianbao admin API"
}

resource "tencentcloud_api_gateway_api" "route" {
  for_each = local.gateway_routes

  service_id                                = tencentcloud_api_gateway_service.api[0].id
  api_name                                  = replace(each.key, "-", "_")
  api_desc                                  = "${each.value.path} and below"
  auth_type                                 = "NONE"
  protocol                                  = "HTTP"
  enable_cors                               = true
  request_config_path                       = each.value.path
  request_config_method                     = "ANY"
  service_config_type                       = "SCF"
  service_config_scf_function_name          = tencentcloud_scf_function.fn[each.value.function].name
  service_config_scf_function_namespace     = tencentcloud_scf_namespace.this.namespace
  service_config_scf_function_qualifier     = tencentcloud_scf_function_alias.live[each.value.function].name
  service_config_scf_function_type          = "EVENT" # Create refuses an SCF backend without it (1.83.25)
  service_config_scf_is_integrated_response = true
  service_config_timeout                    = local.functions[each.value.function].timeout_sec
  response_type                             = "JSON"
}

resource "tencentcloud_api_gateway_service_release" "release" {
  count            = var.http_entry == "api_gateway" ? 1 : 0
  depends_on       = [tencentcloud_api_gateway_api.route] # publish only after every route exists
  service_id       = tencentcloud_api_gateway_service.api[0].id
  environment_name = "release"
  # A release is immutable: changing the APIs changes this text, which makes a new release.
  release_desc = "routes ${sha1(jsonencode(local.gateway_routes))}"
}

output "api_base_url" {
  description = "The gateway's release URL, the custom domain, or empty (then each API function has its own Function URL)"
  value = (var.http_entry == "api_gateway" ? "https://${tencentcloud_api_gateway_service.api[0].outer_sub_domain}/release" :
  var.api_domain != "" ? "${var.api_certificate_id != "" ? "https" : "http"}://${var.api_domain}" : "")
}
