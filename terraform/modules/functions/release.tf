# HTTP traffic runs the alias "live" of each API function, not $LATEST. Terraform updates
# $LATEST (code and configuration); scripts/deploy then publishes a version of every API function
# after the migrations and moves "live" to it (functions/internal/release). Rolling back is moving
# "live" back to the previous version: seconds, no rebuild, no apply (docs/deploy.md).
#
# Terraform creates the first version and the alias once and then leaves both to the release
# tool, which is why the version ignores all changes and the alias ignores where it points.
# Every HTTP entry runs the alias: the Function URL trigger below carries qualifier "live", and so
# do the custom domain's routes and API Gateway's. The COS and timer triggers stay on $LATEST (the
# inline triggers take no qualifier): the media and timer functions roll back by deploying an
# earlier build.

resource "tencentcloud_scf_function_version" "first" {
  for_each      = { for name, f in local.functions : name => f if f.kind == "api" }
  function_name = tencentcloud_scf_function.fn[each.key].name
  namespace     = tencentcloud_scf_namespace.this.namespace
  description   = "first version; later ones are published by scripts/deploy"

  lifecycle {
    ignore_changes = all
  }
}

resource "tencentcloud_scf_function_alias" "live" {
  for_each         = tencentcloud_scf_function_version.first
  name             = "live"
  function_name    = each.value.function_name
  namespace        = tencentcloud_scf_namespace.this.namespace
  function_version = each.value.function_version
  description      = "what HTTP traffic runs; moved by functions/internal/release"

  lifecycle {
    ignore_changes = [function_version, description, routing_config]
  }
}

# The Function URL of each API function, on the alias: promote and rollback move what it serves.
resource "tencentcloud_scf_trigger" "url" {
  for_each      = var.http_entry == "function_url" ? tencentcloud_scf_function_alias.live : {}
  function_name = each.value.function_name
  namespace     = tencentcloud_scf_namespace.this.namespace
  qualifier     = each.value.name
  type          = "http"
  enable        = "OPEN"
  trigger_desc  = jsonencode({ AuthType = "NONE", NetConfig = { EnableIntranet = false, EnableExtranet = true } })
}
